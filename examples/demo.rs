//! The demo README's first command runs: fills an SQLite file with seeded synthetic customers of
//! two agencies, with bookings, then prints a customer list page and one customer's history.
//!
//! `cargo run --release -p crm-core --example demo -- [--force] [path/to/file.db]`
//!
//! The file (default `target/demo/agency.db`) is created anew; an existing one is replaced only
//! with `--force`, so a real database is never erased by mistake.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::time::Instant;

use crm_bench::Synth;
use crm_core::{Actor, Crm, CustomerListQuery, CustomerQuery, CustomerSort, Role, TenantSettings};

const AGENCIES: [(&str, u64, usize); 2] = [
    ("agence-lumiere", 42, 3_000),
    ("alpine-transfers", 7, 2_000),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<_> = std::env::args_os().skip(1).collect();
    let force = args.iter().any(|a| a == "--force");
    args.retain(|a| a != "--force");
    let path = args
        .first()
        .map_or_else(|| PathBuf::from("target/demo/agency.db"), PathBuf::from);
    if path.exists() && !force {
        return Err(format!("{} exists: pass --force to replace it", path.display()).into());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.clone().into_os_string();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }

    let crm = Crm::open(&path)?;
    let seeder = Actor::new("demo-seeder", Role::System);
    for (id, seed, count) in AGENCIES {
        let started = Instant::now();
        let agency = crm.tenant(id)?;
        agency.set_settings(&seeder, TenantSettings::with_region("FR"))?;
        let (_, bookings) =
            Synth::new(seed, &id[..3].to_uppercase()).populate(&agency, &seeder, count, 20)?;
        println!(
            "{id}: {count} customers, {bookings} bookings in {:.2?}",
            started.elapsed()
        );
    }
    println!("written to {}\n", path.display());

    let agency = crm.tenant(AGENCIES[0].0)?;
    let page =
        agency.list_customers(&CustomerListQuery::new(CustomerSort::LastBooking).limit(10))?;
    println!(
        "Customers of {} ({} in all), latest bookers first:",
        agency.id(),
        page.total
    );
    println!(
        "{:>6}  {:<28} {:<34} {:<20} {:>8}  Last booking",
        "No.", "Name", "Email", "Phone", "Bookings"
    );
    for row in &page.items {
        println!(
            "{:>6}  {:<28} {:<34} {:<20} {:>8}  {}",
            row.customer_no,
            row.full_name(),
            row.email.as_deref().unwrap_or("-"),
            row.phone.as_deref().unwrap_or("-"),
            row.bookings,
            row.last_booking
                .map_or("-".to_string(), |d| d.format("%Y-%m-%d").to_string()),
        );
    }

    let started = Instant::now();
    crm.reindex(|_, _| {})?;
    println!(
        "\nsearch index built from SQLite in {:.2?}",
        started.elapsed()
    );
    for typed in ["d", "dup", "dupont hél", "06 1", "gmail.com"] {
        let started = Instant::now();
        let found = agency.search(&CustomerQuery::text(typed).limit(3))?;
        let names: Vec<String> = found.items.iter().map(|r| r.full_name()).collect();
        println!(
            "search {typed:<12} {:>5} found in {:>9.2?}: {}",
            found.total,
            started.elapsed(),
            names.join(", ")
        );
    }

    let busiest = agency
        .list_customers(&CustomerListQuery::new(CustomerSort::LastBooking).limit(200))?
        .items
        .into_iter()
        .max_by_key(|r| r.bookings)
        .ok_or("the agency has no customers")?;
    let customer = agency.get_customer(&busiest.id)?;
    let stats = agency.customer_stats(&customer.id)?;
    println!(
        "\nBooking history of {} (no. {}):",
        customer.full_name(),
        customer.customer_no
    );
    for b in agency.booking_history(&customer.id)? {
        let invoices: Vec<String> = b
            .invoices
            .iter()
            .map(|i| {
                format!(
                    "{} {:.2} {} ({})",
                    i.number,
                    i.amount.minor as f64 / 100.0,
                    i.amount.currency,
                    i.payment_status
                )
            })
            .collect();
        let invoice = if invoices.is_empty() {
            "-".to_string()
        } else {
            invoices.join(", ")
        };
        println!(
            "  {}  {}  {:<60} {:<10} {}",
            b.reference,
            b.pickup_at.format("%Y-%m-%d %H:%M"),
            b.route(),
            b.status,
            invoice
        );
    }
    let spent: Vec<String> = stats
        .total_spent
        .iter()
        .map(|m| format!("{:.2} {}", m.minor as f64 / 100.0, m.currency))
        .collect();
    println!(
        "  {} bookings, total spent {}",
        stats.bookings,
        spent.join(", ")
    );
    Ok(())
}
