//! Operations whose success answer has no body accept any success status.
//!
//! progenitor matches an answer's status exactly: an operation the spec
//! documents as `204 No Content` fails when the server answers `200` with a
//! body or `202`, and the caller hears of an error although the server did
//! what was asked (a session deleted). Such an answer has nothing to read
//! whatever its success status, so [`accept_any_success_without_body`]
//! merges the success arms of these operations into one arm for every 2xx,
//! as if the spec said `2XX`. An operation with a body to read keeps its
//! exact statuses: a body documented for one status is not read from
//! another.

use anyhow::{Result, bail};
use quote::ToTokens;
use syn::visit_mut::VisitMut;

use crate::shape::module_items;

/// progenitor's module of request builders, whose `send` methods match the
/// answer's status.
const REQUEST_BUILDER_MODULE: &str = "builder";

/// Makes every operation whose success arms all return
/// `Ok(ResponseValue::empty(response))` accept any 2xx status with one arm.
/// Fails when progenitor's output no longer has the shape this pass reads:
/// no status `match`, or a success arm that makes an empty answer some
/// other way.
pub fn accept_any_success_without_body(file: &mut syn::File) -> Result<()> {
    let Some(builders) = module_items(&mut file.items, REQUEST_BUILDER_MODULE) else {
        // No operation at all.
        return Ok(());
    };
    let mut rewrite = Rewrite::default();
    for item in builders.iter_mut() {
        rewrite.visit_item_mut(item);
    }
    if rewrite.status_matches == 0 {
        bail!(
            "no generated operation matches `response.status().as_u16()`: \
             progenitor's output has changed shape"
        );
    }
    if let Some(arm) = rewrite.unrecognised.first() {
        bail!(
            "a success arm makes an empty answer in a way this pass does not know, \
             `{arm}`: progenitor's output has changed shape"
        );
    }
    Ok(())
}

#[derive(Default)]
struct Rewrite {
    status_matches: usize,
    /// Success arms that mention `ResponseValue::empty` in another shape.
    unrecognised: Vec<String>,
}

impl VisitMut for Rewrite {
    fn visit_expr_match_mut(&mut self, expr: &mut syn::ExprMatch) {
        syn::visit_mut::visit_expr_match_mut(self, expr);
        let status: syn::Expr = syn::parse_quote!(response.status().as_u16());
        if *expr.expr != status {
            return;
        }
        self.status_matches += 1;
        let empty_answer: syn::Expr = syn::parse_quote!(Ok(ResponseValue::empty(response)));
        let success: Vec<usize> = (0..expr.arms.len())
            .filter(|&index| is_success(&expr.arms[index].pat))
            .collect();
        let mut empty = 0;
        for &index in &success {
            let body = &expr.arms[index].body;
            if *without_block(body) == empty_answer {
                empty += 1;
            } else {
                let text = body.to_token_stream().to_string();
                if text.contains("ResponseValue :: empty") {
                    self.unrecognised.push(text);
                }
            }
        }
        let Some(&first) = success.first() else {
            return;
        };
        if empty < success.len() {
            return;
        }
        expr.arms[first].pat = syn::parse_quote!(200u16..=299u16);
        expr.arms = std::mem::take(&mut expr.arms)
            .into_iter()
            .enumerate()
            .filter(|(index, _)| *index == first || !success.contains(index))
            .map(|(_, arm)| arm)
            .collect();
    }
}

/// `expr` without the braces of a block holding only it (progenitor writes
/// `204u16 => { Ok(…) }`).
fn without_block(expr: &syn::Expr) -> &syn::Expr {
    match expr {
        syn::Expr::Block(block) if block.attrs.is_empty() && block.label.is_none() => {
            match block.block.stmts.as_slice() {
                [syn::Stmt::Expr(inner, None)] => without_block(inner),
                _ => expr,
            }
        }
        _ => expr,
    }
}

/// Whether a status pattern matches only success statuses (`204u16`,
/// `200u16..=299u16`).
fn is_success(pattern: &syn::Pat) -> bool {
    let success = |lit: &syn::Lit| {
        matches!(lit, syn::Lit::Int(int)
            if int.base10_parse::<u16>().is_ok_and(|status| (200..300).contains(&status)))
    };
    let bound = |end: &Option<Box<syn::Expr>>| matches!(end.as_deref(), Some(syn::Expr::Lit(literal)) if success(&literal.lit));
    match pattern {
        syn::Pat::Lit(literal) => success(&literal.lit),
        syn::Pat::Range(range) => bound(&range.start) && bound(&range.end),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operation(arms: proc_macro2::TokenStream) -> syn::File {
        syn::parse_quote! {
            pub mod builder {
                impl Operation {
                    pub async fn send(self) -> Result<ResponseValue<()>, Error<()>> {
                        match response.status().as_u16() {
                            #arms
                        }
                    }
                }
            }
        }
    }

    fn arms_of(file: syn::File) -> String {
        file.to_token_stream().to_string()
    }

    #[test]
    fn an_answer_without_a_body_accepts_every_success_status() {
        let mut file = operation(quote::quote! {
            202u16 => Ok(ResponseValue::empty(response)),
            204u16 => { Ok(ResponseValue::empty(response)) }
            404u16 => Err(Error::ErrorResponse(ResponseValue::empty(response))),
            _ => Err(Error::UnexpectedResponse(response)),
        });
        accept_any_success_without_body(&mut file).unwrap();
        let expected = operation(quote::quote! {
            200u16..=299u16 => Ok(ResponseValue::empty(response)),
            404u16 => Err(Error::ErrorResponse(ResponseValue::empty(response))),
            _ => Err(Error::UnexpectedResponse(response)),
        });
        assert_eq!(arms_of(file), arms_of(expected));
    }

    #[test]
    fn an_answer_with_a_body_keeps_its_exact_statuses() {
        let arms = quote::quote! {
            200u16 => read(response).await,
            204u16 => Ok(ResponseValue::empty(response)),
            _ => Err(Error::UnexpectedResponse(response)),
        };
        let mut file = operation(arms.clone());
        accept_any_success_without_body(&mut file).unwrap();
        assert_eq!(arms_of(file), arms_of(operation(arms)));
    }

    #[test]
    fn an_empty_answer_in_another_shape_fails_generation() {
        let mut file = operation(quote::quote! {
            204u16 => Ok(ResponseValue::empty(response).map(Into::into)),
            _ => Err(Error::UnexpectedResponse(response)),
        });
        let error = accept_any_success_without_body(&mut file).unwrap_err();
        assert!(error.to_string().contains("changed shape"), "{error}");
    }
}
