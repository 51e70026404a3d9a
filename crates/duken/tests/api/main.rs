//! Integration tests: the real server, a real database, HTTP. One binary for all of them.

mod helpers;
mod merchant_products;

mod accounts;
mod accounts_api;
mod agreement;
mod bad_input;
mod bank_sim;
mod catalog_api;
mod cli;
mod consent;
mod crash;
mod credit;
mod credit_applications;
mod orders;
mod pages;
mod platform;
mod roles;
mod search;
mod sellers;
mod shutdown;
