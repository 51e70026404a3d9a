//! `duken import-pricelist` as a seller's script would run it: the real binary on the same
//! data directory as a server, exit codes and the report on the terminal.

use std::process::Output;

use crate::sellers::{offer, pricelist};

fn duken(dir: &std::path::Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_duken"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("DUKEN_DATABASE_URL")
        .output()
        .unwrap()
}

#[test]
fn import_pricelist_applies_a_good_file_and_rejects_a_bad_one_with_its_lines() {
    let dir = tempfile::tempdir().unwrap();
    assert!(duken(dir.path(), &["seed", "--demo"]).status.success());
    let file = dir.path().join("p.xml");

    // The seller named by <merchantid> (the demo seller's merchant id).
    let good = offer("CLI-1", "Смартфон из консоли", "ALA-1", 3, &[("750000000", "99990")]);
    std::fs::write(&file, pricelist("alatau-tech", &good)).unwrap();
    let out = duken(dir.path(), &["import-pricelist", file.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout} {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("applied") && stdout.contains("1 offers (1 new, 0 updated)"), "{stdout}");

    // 100 000 offers with one bad line: nothing applied, one precise report line, exit 2.
    let mut offers = String::new();
    for i in 0..100_000 {
        let price = if i == 54_321 { "-10" } else { "1000" };
        offers.push_str(&offer(&format!("BULK-{i}"), "Bulk item", "ALA-1", 1, &[("750000000", price)]));
        offers.push('\n');
    }
    let text = pricelist("alatau-tech", &offers);
    let bad_line = text.lines().position(|l| l.contains("sku=\"BULK-54321\"")).unwrap() + 1;
    std::fs::write(&file, &text).unwrap();
    let out = duken(dir.path(), &["import-pricelist", file.to_str().unwrap(), "--seller", "180540012343"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("line ")).collect();
    assert_eq!(lines, [format!("line {bad_line}: BULK-54321 non_positive_price -10").as_str()], "{stderr}");
    assert!(stderr.contains("nothing was applied"));

    // An unknown seller and a file over the limit: clear failures.
    let out = duken(dir.path(), &["import-pricelist", file.to_str().unwrap(), "--seller", "no-such-seller"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("no seller has the id"));
    let out = duken(dir.path(), &["--max-pricelist-bytes", "1000", "import-pricelist", file.to_str().unwrap()]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("the limit is 1000"));
    // Not XML at all.
    std::fs::write(&file, "{\"offers\": []}").unwrap();
    let out = duken(dir.path(), &["import-pricelist", file.to_str().unwrap(), "--seller", "alatau-tech"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    // A file cut short: its one line says where, once.
    let half: String = text.chars().take(text.chars().count() / 2).collect();
    std::fs::write(&file, half).unwrap();
    let out = duken(dir.path(), &["import-pricelist", file.to_str().unwrap(), "--seller", "alatau-tech"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("line ")).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].ends_with("the document ends too early (truncated)") && lines[0].matches("line ").count() == 1,
        "{stderr}"
    );
}
