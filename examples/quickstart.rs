//! The Rust quickstart of README: a customer, a booking, the list and the history.
#![allow(clippy::print_stdout)]

use crm_core::{
    Actor, Crm, CustomerListQuery, CustomerSort, NewBooking, NewCustomer, Role, TenantSettings,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let crm = Crm::open_in_memory()?; // or Crm::open("agency.db")?
    let agency = crm.tenant("agency-42")?;
    let clerk = Actor::new("u-17", Role::Agent);
    agency.set_settings(&clerk, TenantSettings::with_region("FR"))?;

    let helene = agency.create_customer(
        &clerk,
        NewCustomer {
            first_name: "Hélène".into(),
            last_name: "Dupont".into(),
            email: Some("Helene.Dupont@example.fr".into()),
            mobile: Some("06 12 34 56 78".into()),
            ..Default::default()
        },
    )?;

    let mut trip = NewBooking::new("BK-1001", "2026-07-14T08:30:00+02:00".parse()?);
    trip.customer_id = Some(helene.id);
    (trip.route_from, trip.route_to) = ("Lyon Part-Dieu".into(), "Aéroport LYS".into());
    agency.upsert_booking(&clerk, trip)?;

    for row in agency
        .list_customers(&CustomerListQuery::new(CustomerSort::Name))?
        .items
    {
        println!(
            "{} {} <{}> {} bookings",
            row.first_name,
            row.last_name,
            row.email.unwrap_or_default(),
            row.bookings
        );
    }
    for b in agency.booking_history(&helene.id)? {
        println!("{} {} {} {}", b.reference, b.pickup_at, b.route(), b.status);
    }
    Ok(())
}
