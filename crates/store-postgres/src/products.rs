//! A clinic's products, linked to aftercare plan items, and clients' feedback on their check-ins.

use crate::error::Res;
use crate::rows::{all, exec, sql, the};
use sqlx::PgConnection;
use store::columns::{read_feedback, read_product};
use store::{ClientId, ClinicId, Feedback, NewFeedback, NewProduct, Product, ProductId};
use store::{feedback_columns, product_columns};

/// The clinic's products, oldest first.
pub async fn products(c: &mut PgConnection, clinic_id: ClinicId) -> Res<Vec<Product>> {
    all(
        c,
        sql(concat!("SELECT ", product_columns!(), " FROM products WHERE clinic_id = $1 ORDER BY id"))
            .bind(clinic_id.get()),
        read_product,
    )
    .await
}

/// Adds a product to the clinic.
pub async fn add_product(c: &mut PgConnection, clinic_id: ClinicId, product: NewProduct) -> Res<Product> {
    the(
        c,
        sql(concat!(
            "INSERT INTO products (clinic_id, name, item, url, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING ",
            product_columns!()
        ))
        .bind(clinic_id.get())
        .bind(product.name)
        .bind(product.item)
        .bind(product.url)
        .bind(product.now.0),
        read_product,
    )
    .await
}

/// Removes a product of the clinic; whether there was one.
pub async fn remove_product(c: &mut PgConnection, clinic_id: ClinicId, product_id: ProductId) -> Res<bool> {
    let done = exec(
        c,
        sql("DELETE FROM products WHERE id = $1 AND clinic_id = $2").bind(product_id.get()).bind(clinic_id.get()),
    )
    .await?;
    Ok(done == 1)
}

/// Stores a client's feedback on a check-in of the clinic (not found when the clinic has no
/// such check-in).
pub async fn add_feedback(c: &mut PgConnection, clinic_id: ClinicId, feedback: NewFeedback) -> Res<Feedback> {
    the(
        c,
        sql(concat!(
            "INSERT INTO feedback (clinic_id, check_in_id, rating, comment, created_at) \
             SELECT clinic_id, id, $1::bigint, $2::text, $3::bigint FROM check_ins WHERE id = $4 AND clinic_id = $5 \
             RETURNING ",
            feedback_columns!()
        ))
        .bind(feedback.rating.map(i64::from))
        .bind(feedback.comment)
        .bind(feedback.now.0)
        .bind(feedback.check_in_id.get())
        .bind(clinic_id.get()),
        read_feedback,
    )
    .await
}

/// A client's feedback, oldest first.
pub async fn feedback_of_client(c: &mut PgConnection, clinic_id: ClinicId, client_id: ClientId) -> Res<Vec<Feedback>> {
    all(
        c,
        sql(concat!(
            "SELECT ",
            feedback_columns!("f."),
            " FROM feedback f \
             JOIN check_ins c ON c.id = f.check_in_id AND c.clinic_id = f.clinic_id \
             JOIN sessions s ON s.id = c.session_id AND s.clinic_id = c.clinic_id \
             WHERE f.clinic_id = $1 AND s.client_id = $2 ORDER BY f.created_at, f.id"
        ))
        .bind(clinic_id.get())
        .bind(client_id.get()),
        read_feedback,
    )
    .await
}
