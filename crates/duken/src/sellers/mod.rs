//! §3: becoming a seller and running one. A signed-in person applies (`/seller/apply`),
//! operator staff decide in the console, and the seller's staff run the cabinet
//! (`/cabinet/{seller}`): stores, staff invitations, price lists and their reports.
//!
//! Which seller's data a person may touch is decided here, by [`staff_role`]: a seller the
//! viewer does not work for answers 404, the same as one that does not exist.

pub mod cabinet;
pub mod console;
pub mod content;
pub mod onboarding;
pub mod orders;

use axum::Router;
use duken_core::roles::Role;
use duken_core::seller::FieldProblem;

use crate::app::AppState;
use crate::web::error::{AppError, FieldError};
use crate::web::i18n::Message;
use crate::web::prefs::Viewer;

pub fn routes(state: AppState) -> Router<AppState> {
    onboarding::routes(state.clone())
        .merge(cabinet::routes(state.clone()))
        .merge(content::routes(state.clone()))
        .merge(orders::routes(state))
        .merge(console::routes())
}

/// The viewer's role at `seller_id`, or 404 for a seller they do not work for.
pub fn staff_role(viewer: &Viewer, seller_id: i64) -> Result<Role, AppError> {
    viewer
        .seller_role(seller_id)
        .ok_or_else(|| AppError::NotFound(Message::new("error-no-such-seller").arg("id", seller_id.to_string())))
}

/// Only the owner manages staff and stores.
pub fn owner_only(viewer: &Viewer, seller_id: i64) -> Result<(), AppError> {
    match staff_role(viewer, seller_id)? {
        Role::SellerOwner => Ok(()),
        _ => Err(AppError::Forbidden(Message::new("error-owner-only"))),
    }
}

/// A form's problems as the error page (or a JSON error) shows them.
pub fn field_errors(problems: &[FieldProblem]) -> AppError {
    AppError::BadRequest(
        problems.iter().map(|p| FieldError { field: p.field, message: Message::new(p.message) }).collect(),
    )
}

/// One field's problem, translated, for a form shown again beside what was typed.
pub struct ShownProblem {
    pub field: &'static str,
    pub text: String,
}

pub fn shown(problems: &[FieldProblem], lang: duken_core::Lang) -> Vec<ShownProblem> {
    problems.iter().map(|p| ShownProblem { field: p.field, text: Message::new(p.message).render(lang) }).collect()
}

/// The text of a field's problem, if it has one (templates call this beside each input).
pub fn problem_of<'a>(problems: &'a [ShownProblem], field: &str) -> Option<&'a str> {
    problems.iter().find(|p| p.field == field).map(|p| p.text.as_str())
}
