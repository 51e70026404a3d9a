//! Writes price lists in the layout Kaspi documents: one element per line.

use std::io::{self, Write};

use duken_core::Money;
use quick_xml::escape::escape;

use crate::{Header, Offer};

/// Writes a complete `<kaspi_catalog>` document. Text and attribute values are escaped.
/// Prices are whole tenge when they are (`349990`), else with tiyn (`349990.50`, which the
/// reader rejects: that is how tests make bad files).
pub fn write_pricelist(w: &mut impl Write, header: &Header, offers: impl Iterator<Item = Offer>) -> io::Result<()> {
    w.write_all(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<kaspi_catalog")?;
    if let Some(date) = &header.date {
        write!(w, " date=\"{}\"", escape(date.as_str()))?;
    }
    w.write_all(
        b" xmlns=\"kaspiShopping\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
          xsi:schemaLocation=\"kaspiShopping http://kaspi.kz/kaspishopping.xsd\">\n",
    )?;
    writeln!(w, "  <company>{}</company>", escape(header.company.as_str()))?;
    writeln!(w, "  <merchantid>{}</merchantid>", escape(header.merchant_id.as_str()))?;
    w.write_all(b"  <offers>\n")?;
    for offer in offers {
        writeln!(w, "    <offer sku=\"{}\">", escape(offer.sku.as_str()))?;
        writeln!(w, "      <model>{}</model>", escape(offer.model.as_str()))?;
        if let Some(brand) = &offer.brand {
            writeln!(w, "      <brand>{}</brand>", escape(brand.as_str()))?;
        }
        w.write_all(b"      <availabilities>\n")?;
        for a in &offer.availabilities {
            write!(
                w,
                "        <availability available=\"{}\" storeId=\"{}\"",
                if a.available { "yes" } else { "no" },
                escape(a.store_id.as_str())
            )?;
            if let Some(stock) = a.stock_count {
                write!(w, " stockCount=\"{stock}\"")?;
            }
            writeln!(w, " preOrder=\"{}\"/>", a.pre_order_days)?;
        }
        w.write_all(b"      </availabilities>\n")?;
        if !offer.city_prices.is_empty() {
            w.write_all(b"      <cityprices>\n")?;
            for c in &offer.city_prices {
                writeln!(
                    w,
                    "        <cityprice cityId=\"{}\">{}</cityprice>",
                    escape(c.city_id.as_str()),
                    Tenge(c.price)
                )?;
            }
            w.write_all(b"      </cityprices>\n")?;
        }
        if let Some(price) = offer.price {
            writeln!(w, "      <price>{}</price>", Tenge(price))?;
        }
        w.write_all(b"    </offer>\n")?;
    }
    w.write_all(b"  </offers>\n</kaspi_catalog>\n")
}

struct Tenge(Money);

impl std::fmt::Display for Tenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tiyn = self.0.tiyn();
        let sign = if tiyn < 0 { "-" } else { "" };
        let abs = tiyn.unsigned_abs();
        if abs.is_multiple_of(100) {
            write!(f, "{sign}{}", abs / 100)
        } else {
            write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
        }
    }
}
