//! A light check of matrix kinds: nalgebra cannot add a fixed-size matrix
//! to a dynamic one, and rustc would report it deep in generated code, so
//! such a mix is reported here, on the user's expression.
//!
//! Kinds are known from the arguments' types (see `types`) and follow
//! copies and the elementwise operations that keep a shape (`+ - neg
//! component_mul component_div map clone`); anything else has no known
//! kind and is not checked.

use std::collections::HashMap;

use crate::errors::Errors;
use crate::ir::{Function, Op, Var};
use crate::types;

/// Whether a matrix's size is fixed by its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Fixed,
    Dynamic,
}

/// Reports each elementwise operation between a fixed-size and a dynamic matrix.
pub fn check(f: &Function, errors: &mut Errors) {
    let mut kinds: HashMap<Var, (Kind, String)> = HashMap::new();
    for stmt in &f.body {
        let Some(def) = stmt.def() else { continue };
        match &stmt.op {
            Op::Arg(i) => {
                let ty = &f.params[*i].ty;
                let kind = match (types::is_matrix_type(ty), types::static_dim(ty)) {
                    (false, _) => None,
                    (true, Some(_)) => Some(Kind::Fixed),
                    (true, None) => Some(Kind::Dynamic),
                };
                if let Some(kind) = kind {
                    kinds.insert(def, (kind, types::type_text(ty)));
                }
            }
            Op::Copy(src) => {
                if let Some(k) = kinds.get(src).cloned() {
                    kinds.insert(def, k);
                }
            }
            Op::Prim { prim, args, .. } => {
                let elementwise =
                    matches!(prim.name, "add" | "sub" | "component_mul" | "component_div");
                let keeps = matches!(
                    prim.name,
                    "neg" | "map" | "clone" | "into_owned" | "clone_owned"
                );
                if elementwise {
                    if let [a, b] = args.as_slice() {
                        match (kinds.get(a).cloned(), kinds.get(b).cloned()) {
                            (Some((ka, ta)), Some((kb, tb))) if ka != kb => errors.at(
                                stmt.span,
                                format!(
                                    "this operation mixes a fixed-size and a dynamic matrix (`{ta}` and `{tb}`), which nalgebra cannot combine; give both the same kind, e.g. convert the fixed one with `DVector::from_column_slice(x.as_slice())`"
                                ),
                            ),
                            (Some(k), _) | (_, Some(k)) => {
                                kinds.insert(def, k);
                            }
                            _ => {}
                        }
                    }
                } else if keeps {
                    if let Some(k) = args.first().and_then(|a| kinds.get(a)).cloned() {
                        kinds.insert(def, k);
                    }
                }
            }
            _ => {}
        }
    }
}
