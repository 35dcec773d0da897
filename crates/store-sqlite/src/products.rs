//! A clinic's products, linked to aftercare plan items, and clients' feedback on their check-ins.

use crate::error::Res;
use crate::rows::{all, exec, the};
use rusqlite::{Connection, params};
use store::columns::{read_feedback, read_product};
use store::{ClientId, ClinicId, Feedback, NewFeedback, NewProduct, Product, ProductId};
use store::{feedback_columns, product_columns};

/// The clinic's products, oldest first.
pub fn products(c: &Connection, clinic_id: ClinicId) -> Res<Vec<Product>> {
    all(
        c,
        concat!("SELECT ", product_columns!(), " FROM products WHERE clinic_id = ? ORDER BY id"),
        params![clinic_id.get()],
        read_product,
    )
}

/// Adds a product to the clinic.
pub fn add_product(c: &Connection, clinic_id: ClinicId, product: NewProduct) -> Res<Product> {
    the(
        c,
        concat!(
            "INSERT INTO products (clinic_id, name, item, url, created_at) VALUES (?, ?, ?, ?, ?) RETURNING ",
            product_columns!()
        ),
        params![clinic_id.get(), product.name, product.item, product.url, product.now.0],
        read_product,
    )
}

/// Removes a product of the clinic; whether there was one.
pub fn remove_product(c: &Connection, clinic_id: ClinicId, product_id: ProductId) -> Res<bool> {
    Ok(exec(c, "DELETE FROM products WHERE id = ? AND clinic_id = ?", params![product_id.get(), clinic_id.get()])? == 1)
}

/// Stores a client's feedback on a check-in of the clinic (not found when the clinic has no
/// such check-in).
pub fn add_feedback(c: &Connection, clinic_id: ClinicId, feedback: NewFeedback) -> Res<Feedback> {
    the(
        c,
        concat!(
            "INSERT INTO feedback (clinic_id, check_in_id, rating, comment, created_at) \
             SELECT clinic_id, id, ?, ?, ? FROM check_ins WHERE id = ? AND clinic_id = ? RETURNING ",
            feedback_columns!()
        ),
        params![
            feedback.rating.map(i64::from),
            feedback.comment,
            feedback.now.0,
            feedback.check_in_id.get(),
            clinic_id.get()
        ],
        read_feedback,
    )
}

/// A client's feedback, oldest first.
pub fn feedback_of_client(c: &Connection, clinic_id: ClinicId, client_id: ClientId) -> Res<Vec<Feedback>> {
    all(
        c,
        concat!(
            "SELECT ",
            feedback_columns!("f."),
            " FROM feedback f \
             JOIN check_ins c ON c.id = f.check_in_id AND c.clinic_id = f.clinic_id \
             JOIN sessions s ON s.id = c.session_id AND s.clinic_id = c.clinic_id \
             WHERE f.clinic_id = ? AND s.client_id = ? ORDER BY f.created_at, f.id"
        ),
        params![clinic_id.get(), client_id.get()],
        read_feedback,
    )
}
