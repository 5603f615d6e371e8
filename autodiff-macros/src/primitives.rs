//! The table of primitives: the names the macro differentiates through.
//!
//! Each row names a function of `autodiff_runtime::rules`, which states the
//! primitive's value and partial derivatives once for both modes. This table
//! says only how the primitive is written in user code (its method and path
//! names), how many arguments it takes (the receiver counts) and which of them
//! are static (no partial). Adding a primitive is one row here and one rule
//! function in the runtime.

/// How user code spells a primitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spelling {
    /// An operator: `a + b`, `-a`.
    Operator(&'static str),
    /// A method, also callable as a path: `x.sin()`, `f64::sin(x)`.
    Method,
    /// Indexing `x[i]` by a static index. Its reverse rule adds into the
    /// container's adjoint in place rather than building a new one.
    Index,
    /// An array literal `[a, b, ..]`, of any length (`arity` is unused).
    ArrayLiteral,
    /// A tuple literal `(a, b, ..)`, of one to four fields.
    TupleLiteral,
    /// A vector built from an array, `Vector3::from([a, b, c])` (the
    /// vector type's path is in the call's `Callee`); `Vector3::new(a, b, c)`
    /// is lowered to it.
    Construct,
    /// `V::from_element(sizes.., x)`: only `x` (the first argument in the
    /// IR) is differentiable, the sizes that follow are static; the path is
    /// in the call's `Callee`.
    Fill,
    /// `V::from_fn(sizes.., |i, j| ..)`: its arguments are the variables the
    /// closure captures; sizes and closure are in the call's `Callee`.
    FromFn,
    /// A block of rows or columns, `x.rows(start, len)`, as an owned matrix;
    /// like indexing, its reverse rule adds into the adjoint in place.
    Slice,
    /// A fixed-size block, `x.fixed_rows::<N>(start)` (the turbofish is in
    /// the call's `Callee`); added into the adjoint in place.
    FixedSlice,
    /// `x.map(f)` with `f` a scalar function (kept in the call's `Callee`).
    Map,
    /// A field `t.0` of a tuple or a struct, `p.w` (the field is in the
    /// call's `Callee`). Like indexing, its reverse rule adds into the
    /// adjoint in place.
    Field,
    /// A struct literal `P { w: a, ..base }` or `P(a, b)` (fields and path
    /// in the call's `Callee`), of any number of fields.
    StructLiteral,
    /// A field assignment `p.w = v` as a value: `p` with the field
    /// replaced (the field is in the call's `Callee`).
    SetField,
    /// A free function of the library called by its name or path,
    /// `stop_gradient(x)` (the path is in the call's `Callee`).
    Function,
    /// Written by lowering, not by the user (`a[i] = v` is `set_index`,
    /// `vec![x; n]` is `vec_from_elem`): plain code calls the rule too and
    /// keeps its value.
    Lowered,
}

/// One primitive.
#[derive(Debug, PartialEq, Eq)]
pub struct Primitive {
    /// The rule's name in `autodiff_runtime::rules`.
    pub name: &'static str,
    /// The method's name in user code: the rule's, or another where two
    /// rules share a method name at different arities (`v.max()` of a
    /// vector is `entry_max`, `a.max(b)` of floats is `max`).
    pub method: &'static str,
    /// Number of arguments, the receiver of a method included.
    pub arity: usize,
    /// Positions of static arguments, which get no partial (`powi`'s exponent).
    pub static_args: &'static [usize],
    /// How user code writes it.
    pub spelling: Spelling,
    /// Whether the runtime also has `<name>_owned`, taking its operand by
    /// value, which the generated code calls where the operand is read for
    /// the last time: a rule whose partial keeps a scaled copy of its
    /// operand (`norm_squared`: `2a`) then scales it in place.
    pub owned: bool,
    /// Whether the method takes its arguments after the receiver by
    /// reference (nalgebra's `a.dot(&b)`), as plain code must pass them.
    pub by_ref: bool,
    /// Whether it is piecewise constant (`floor`, `signum`): its result
    /// carries no derivative, as a comparison's does not. So nothing flows
    /// back through it, not even `0 × NaN` from an argument whose own
    /// derivative is undefined (JAX's symbolic zero).
    pub flat: bool,
    /// Whether its rule needs nalgebra's `RealField` (decompositions,
    /// geometry): dual numbers are not one, so no second derivatives
    /// through it.
    pub field: bool,
}

impl Primitive {
    /// Whether argument `i` carries a derivative.
    pub fn differentiable_arg(&self, i: usize) -> bool {
        match self.spelling {
            Spelling::Fill => i == 0,
            _ => !self.static_args.contains(&i),
        }
    }

    /// Whether reverse mode adds this primitive's cotangent into part of its
    /// argument's adjoint in place (indexing, fields) rather than building a
    /// whole new adjoint.
    pub fn adds_in_place(&self) -> bool {
        matches!(
            self.spelling,
            Spelling::Index | Spelling::Field | Spelling::Slice | Spelling::FixedSlice
        )
    }

    /// Whether it applies a closure of the user's to every entry (`map`,
    /// `from_fn`): its partials are containers, one entry per entry.
    pub fn takes_closure(&self) -> bool {
        matches!(self.spelling, Spelling::Map | Spelling::FromFn)
    }
}

macro_rules! table {
    ($($name:ident / $arity:literal $(as $method:literal)? $(static $($s:literal),+)? $(op $op:literal)? $(spelled $sp:ident)? $(+ $flag:ident)*;)*) => {
        /// Every primitive, operators first.
        pub static PRIMITIVES: &[Primitive] = &[$(
            Primitive {
                name: stringify!($name),
                method: table!(@method $name $($method)?),
                arity: $arity,
                static_args: &[$($($s),+)?],
                spelling: table!(@spelling $($op)? $($sp)?),
                owned: has_flag(&[$(stringify!($flag)),*], "owned"),
                by_ref: has_flag(&[$(stringify!($flag)),*], "by_ref"),
                flat: has_flag(&[$(stringify!($flag)),*], "flat"),
                field: has_flag(&[$(stringify!($flag)),*], "field"),
            },
        )*];
    };
    (@method $name:ident $method:literal) => { $method };
    (@method $name:ident) => { stringify!($name) };
    (@spelling $op:literal) => { Spelling::Operator($op) };
    (@spelling $sp:ident) => { Spelling::$sp };
    (@spelling) => { Spelling::Method };
}

/// Whether `flags` (a table entry's `+ flag`s) holds `flag`.
const fn has_flag(flags: &[&str], flag: &str) -> bool {
    let mut k = 0;
    while k < flags.len() {
        let (a, b) = (flags[k].as_bytes(), flag.as_bytes());
        if a.len() == b.len() {
            let mut i = 0;
            while i < a.len() && a[i] == b[i] {
                i += 1;
            }
            if i == a.len() {
                return true;
            }
        }
        k += 1;
    }
    false
}

table! {
    add / 2 op "+";
    sub / 2 op "-";
    mul / 2 op "*";
    div / 2 op "/";
    neg / 1 op "-";
    sin / 1; cos / 1; tan / 1; asin / 1; acos / 1; atan / 1; atan2 / 2;
    sinh / 1; cosh / 1; tanh / 1; asinh / 1; acosh / 1; atanh / 1;
    exp / 1; exp2 / 1; exp_m1 / 1; ln / 1; ln_1p / 1; log / 2; log10 / 1; log2 / 1;
    sqrt / 1; cbrt / 1; powi / 2 static 1; powf / 2; hypot / 2;
    abs / 1; signum / 1 + flat; recip / 1; mul_add / 3; min / 2; max / 2; clamp / 3;
    floor / 1 + flat; ceil / 1 + flat; round / 1 + flat; trunc / 1 + flat; fract / 1;
    to_degrees / 1; to_radians / 1;
    index / 2 static 1 spelled Index;
    array / 0 spelled ArrayLiteral;
    tuple / 0 spelled TupleLiteral;
    field / 1 spelled Field;
    structure / 0 spelled StructLiteral;
    set_member / 2 spelled SetField;
    map / 1 spelled Map;
    from_array / 1 spelled Construct;
    from_element / 0 spelled Fill;
    from_fn / 0 spelled FromFn;
    dot / 2 + by_ref; norm / 1; norm_squared / 1 + owned; sum / 1;
    transpose / 1; component_mul / 2 + by_ref; component_div / 2 + by_ref;
    clone / 1; into_owned / 1; clone_owned / 1;
    trace / 1 + field; determinant / 1 + field; try_inverse / 1 + field; normalize / 1 + field;
    cross / 2 + by_ref + field; row_sum / 1 + field; column_sum / 1 + field;
    entry_max / 1 as "max" + field; entry_min / 1 as "min" + field; amax / 1 + field; amin / 1 + field;
    cholesky / 1 + field; l / 1 + field; solve / 2 + by_ref + field; symmetric_eigen / 1 + field;
    inverse / 1 + field;
    unwrap / 1; expect / 2 static 1;
    to_vec / 1;
    rows / 3 static 1, 2 spelled Slice; columns / 3 static 1, 2 spelled Slice;
    fixed_rows / 2 static 1 spelled FixedSlice; fixed_columns / 2 static 1 spelled FixedSlice;
    stop_gradient / 1 spelled Function + flat;
    rotation3_from_scaled_axis / 1 as "Rotation3::from_scaled_axis" spelled Function + field;
    unit_quaternion_from_scaled_axis / 1 as "UnitQuaternion::from_scaled_axis" spelled Function + field;
    isometry3_new / 2 as "Isometry3::new" spelled Function + field;
    set_index / 3 static 1 spelled Lowered;
    vec_from_elem / 2 static 1 spelled Lowered;
    vec_from_array / 1 spelled Lowered;
    lu_solve / 2 spelled Lowered + field;
}

/// A primitive that lowering writes (`set_index`, `vec_from_elem`, `vec_from_array`).
pub fn lowered(name: &str) -> &'static Primitive {
    PRIMITIVES
        .iter()
        .find(|p| p.spelling == Spelling::Lowered && p.name == name)
        .unwrap_or_else(|| by_spelling(Spelling::Lowered))
}

/// Indexing `x[i]`.
pub fn indexing() -> &'static Primitive {
    by_spelling(Spelling::Index)
}

/// An array literal.
pub fn array_literal() -> &'static Primitive {
    by_spelling(Spelling::ArrayLiteral)
}

/// A tuple literal.
pub fn tuple_literal() -> &'static Primitive {
    by_spelling(Spelling::TupleLiteral)
}

/// A vector built from an array.
pub fn construct() -> &'static Primitive {
    by_spelling(Spelling::Construct)
}

/// `V::from_element(..)`.
pub fn fill() -> &'static Primitive {
    by_spelling(Spelling::Fill)
}

/// `V::from_fn(..)`.
pub fn from_fn() -> &'static Primitive {
    by_spelling(Spelling::FromFn)
}

/// `x.map(f)`.
pub fn mapping() -> &'static Primitive {
    by_spelling(Spelling::Map)
}

/// A field of a tuple or struct.
pub fn field() -> &'static Primitive {
    by_spelling(Spelling::Field)
}

/// A struct literal.
pub fn struct_literal() -> &'static Primitive {
    by_spelling(Spelling::StructLiteral)
}

/// A field assignment.
pub fn set_field() -> &'static Primitive {
    by_spelling(Spelling::SetField)
}

fn by_spelling(spelling: Spelling) -> &'static Primitive {
    PRIMITIVES
        .iter()
        .find(|p| p.spelling == spelling)
        .expect("the table lists every spelling")
}

/// The primitive called `name` as a method or path (`x.name()`,
/// `f64::name(x)`) with `arity` arguments, the receiver included; else one
/// of that name with another arity, for the error message.
pub fn method(name: &str, arity: usize) -> Option<&'static Primitive> {
    let named = || {
        PRIMITIVES.iter().filter(move |p| {
            matches!(
                p.spelling,
                Spelling::Method | Spelling::Slice | Spelling::FixedSlice
            ) && p.method == name
        })
    };
    named()
        .find(|p| p.arity == arity)
        .or_else(|| named().next())
}

/// The function spelled `name`: the library's free function
/// (`stop_gradient`) or a type's (`Rotation3::from_scaled_axis`).
pub fn function(name: &str) -> Option<&'static Primitive> {
    PRIMITIVES
        .iter()
        .find(|p| p.spelling == Spelling::Function && p.method == name)
}

/// The primitive for a binary operator token such as `+`.
pub fn binary(op: &str) -> Option<&'static Primitive> {
    PRIMITIVES
        .iter()
        .find(|p| matches!(p.spelling, Spelling::Operator(o) if o == op) && p.arity == 2)
}

/// Unary minus.
pub fn negation() -> &'static Primitive {
    PRIMITIVES
        .iter()
        .find(|p| p.name == "neg")
        .expect("the table lists `neg`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_lookups_agree() {
        for (i, p) in PRIMITIVES.iter().enumerate() {
            assert!(
                PRIMITIVES[..i].iter().all(|q| q.name != p.name),
                "{}",
                p.name
            );
            assert!(p.static_args.iter().all(|&s| s < p.arity));
        }
        assert_eq!(method("atan2", 2).map(|p| p.arity), Some(2));
        assert_eq!(method("max", 1).map(|p| p.name), Some("entry_max"));
        assert_eq!(method("max", 2).map(|p| p.name), Some("max"));
        assert_eq!(binary("*").map(|p| p.name), Some("mul"));
        assert_eq!(negation().arity, 1);
        assert!(method("mul", 2).is_none(), "operators are not methods");
        assert!(!method("powi", 2).unwrap().differentiable_arg(1));
        assert!(!indexing().differentiable_arg(1));
        assert_eq!(array_literal().spelling, Spelling::ArrayLiteral);
    }
}
