//! §6: photos sellers upload. A file is accepted only if its bytes are a PNG, JPEG or WebP
//! image whose header gives plausible dimensions; the name or declared type counts for
//! nothing. Pure: it reads the header only and decodes no pixels.

use thiserror::Error;

/// The largest photo accepted.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
/// Photos smaller than this on either side are too small to show a product.
pub const MIN_SIDE: u32 = 200;
pub const MAX_SIDE: u32 = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    Webp,
}

impl ImageKind {
    pub fn content_type(self) -> &'static str {
        match self {
            ImageKind::Png => "image/png",
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Webp => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ImageKind::Png => "png",
            ImageKind::Jpeg => "jpg",
            ImageKind::Webp => "webp",
        }
    }

    pub fn from_extension(ext: &str) -> Option<Self> {
        match ext {
            "png" => Some(ImageKind::Png),
            "jpg" => Some(ImageKind::Jpeg),
            "webp" => Some(ImageKind::Webp),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageInfo {
    pub kind: ImageKind,
    pub width: u32,
    pub height: u32,
}

#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum ImageError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than 5 MB")]
    TooLarge,
    #[error("the file is not a PNG, JPEG or WebP image")]
    NotAnImage,
    #[error("the image is smaller than 200×200 or larger than 10000×10000 pixels")]
    BadSize,
}

impl ImageError {
    /// A message key for the web layer.
    pub fn message(self) -> &'static str {
        match self {
            ImageError::Empty => "photo-empty",
            ImageError::TooLarge => "photo-too-large",
            ImageError::NotAnImage => "photo-not-image",
            ImageError::BadSize => "photo-bad-size",
        }
    }
}

fn be16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?)))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn le16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?)))
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 3)?;
    Some(u32::from(s[0]) | (u32::from(s[1]) << 8) | (u32::from(s[2]) << 16))
}

fn png(b: &[u8]) -> Option<(u32, u32)> {
    // Signature, then the IHDR chunk: length 13, "IHDR", width, height.
    (b.starts_with(b"\x89PNG\r\n\x1a\n") && b.get(12..16) == Some(b"IHDR")).then_some(())?;
    Some((be32(b, 16)?, be32(b, 20)?))
}

fn jpeg(b: &[u8]) -> Option<(u32, u32)> {
    if !b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return None;
    }
    // Walk the markers to the first start-of-frame; its header holds the size.
    let mut at = 2;
    loop {
        while b.get(at) == Some(&0xFF) && b.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if *b.get(at)? != 0xFF {
            return None;
        }
        let marker = *b.get(at + 1)?;
        match marker {
            0xD8 | 0x01 | 0xD0..=0xD7 => at += 2,
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                return Some((be16(b, at + 7)?, be16(b, at + 5)?));
            }
            _ => at += 2 + usize::try_from(be16(b, at + 2)?).ok()?,
        }
    }
}

fn webp(b: &[u8]) -> Option<(u32, u32)> {
    (b.get(0..4) == Some(b"RIFF") && b.get(8..12) == Some(b"WEBP")).then_some(())?;
    match b.get(12..16)? {
        b"VP8 " => (b.get(23..26) == Some(&[0x9d, 0x01, 0x2a]))
            .then(|| Some((le16(b, 26)? & 0x3fff, le16(b, 28)? & 0x3fff)))?,
        b"VP8L" => {
            (b.get(20) == Some(&0x2f)).then_some(())?;
            let bits = u32::from_le_bytes(b.get(21..25)?.try_into().ok()?);
            Some(((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1))
        }
        b"VP8X" => Some((le24(b, 24)? + 1, le24(b, 27)? + 1)),
        _ => None,
    }
}

/// What kind of image `bytes` is, and its size; or why it is refused.
pub fn check_photo(bytes: &[u8]) -> Result<ImageInfo, ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(ImageError::TooLarge);
    }
    let (kind, (width, height)) = png(bytes)
        .map(|s| (ImageKind::Png, s))
        .or_else(|| jpeg(bytes).map(|s| (ImageKind::Jpeg, s)))
        .or_else(|| webp(bytes).map(|s| (ImageKind::Webp, s)))
        .ok_or(ImageError::NotAnImage)?;
    if !(MIN_SIDE..=MAX_SIDE).contains(&width) || !(MIN_SIDE..=MAX_SIDE).contains(&height) {
        return Err(ImageError::BadSize);
    }
    Ok(ImageInfo { kind, width, height })
}

/// A minimal valid PNG header of the given size (tests and demo data use it).
pub fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    b.extend_from_slice(&width.to_be_bytes());
    b.extend_from_slice(&height.to_be_bytes());
    b.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    b
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn png_jpeg_and_webp_headers_give_their_size() {
        assert_eq!(check_photo(&png_header(800, 600)), Ok(ImageInfo { kind: ImageKind::Png, width: 800, height: 600 }));
        // JPEG: SOI, an APP0 segment, then SOF0 with height 480 and width 640.
        let mut jpg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00];
        jpg.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x03]);
        assert_eq!(check_photo(&jpg), Ok(ImageInfo { kind: ImageKind::Jpeg, width: 640, height: 480 }));
        // WebP (VP8X): canvas 1024×768 stored minus one.
        let mut webp = b"RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00".to_vec();
        webp.extend_from_slice(&[0xFF, 0x03, 0x00, 0xFF, 0x02, 0x00]);
        assert_eq!(check_photo(&webp), Ok(ImageInfo { kind: ImageKind::Webp, width: 1024, height: 768 }));
    }

    #[test]
    fn anything_else_is_refused() {
        assert_eq!(check_photo(b""), Err(ImageError::Empty));
        assert_eq!(check_photo(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), Err(ImageError::NotAnImage));
        assert_eq!(check_photo(b"GIF89a\x01\x00\x01\x00"), Err(ImageError::NotAnImage));
        assert_eq!(check_photo(b"%PDF-1.7"), Err(ImageError::NotAnImage));
        assert_eq!(check_photo(&b"\x89PNG\r\n\x1a\n"[..]), Err(ImageError::NotAnImage), "a bare signature");
        assert_eq!(check_photo(&png_header(50, 600)), Err(ImageError::BadSize));
        assert_eq!(check_photo(&png_header(20_000, 600)), Err(ImageError::BadSize));
        let mut big = png_header(800, 600);
        big.resize(MAX_PHOTO_BYTES + 1, 0);
        assert_eq!(check_photo(&big), Err(ImageError::TooLarge));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = check_photo(&bytes);
            let mut jpeg = vec![0xFF, 0xD8, 0xFF];
            jpeg.extend_from_slice(&bytes);
            let _ = check_photo(&jpeg);
        }
    }
}
