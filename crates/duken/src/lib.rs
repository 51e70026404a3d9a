//! The duken application: configuration, the web layer and the domain modules that serve the
//! storefront, the JSON API and operations endpoints. See ARCHITECTURE.md for the map.

pub mod accounts;
pub mod app;
pub mod bench;
pub mod catalog;
pub mod config;
pub mod console;
pub mod content;
pub mod credit;
pub mod logwriter;
pub mod merchant_api;
pub mod orders;
pub mod pricelist;
pub mod search;
pub mod sellers;
pub mod telemetry;
pub mod web;

pub use app::{App, AppState};
pub use config::{Cli, Command, Config};
