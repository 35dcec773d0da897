//! The staff's pages: sign-in, the dashboard, the alert queue and the clients. Signed-in
//! pages read a session cookie (HttpOnly, SameSite=Lax, Secure behind TLS) whose token is
//! stored only as a hash; every form carries the session's CSRF token, and a cross-site
//! `Origin` is refused.

pub mod account;
pub mod alerts;
pub mod answer;
pub mod audit;
pub mod auth;
pub mod clients;
pub mod dashboard;
pub mod outcomes;
pub mod password;
pub mod sessions;
pub mod settings;
pub mod two_factor;
pub mod view;
