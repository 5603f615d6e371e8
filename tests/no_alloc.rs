//! Generated code for fixed-size inputs does not allocate: every generated
//! function of functions over arrays, measured with a counting allocator.

use autodiff::prelude::*;

/// Scalar output over an array.
#[differentiate]
fn energy(x: [f64; 4]) -> f64 {
    let a = x[0] * x[1] - x[2].sin();
    a * a + x[3].exp() * x[0]
}

/// Vector output over an array.
#[differentiate]
fn field(x: [f64; 3]) -> [f64; 2] {
    [x[0] * x[1], x[2].powi(3) - x[0]]
}

/// Fails if `run` allocates on the heap.
fn assert_no_allocation(what: &str, run: impl FnOnce()) {
    let info = allocation_counter::measure(run);
    assert_eq!(
        info.count_total, 0,
        "{what} allocated {} times",
        info.count_total
    );
}

#[test]
fn generated_functions_on_arrays_do_not_allocate() {
    let x = [0.3, -1.2, 0.8, 0.1];
    let y = [0.5, 2.0, -0.7];
    assert_no_allocation("grad", || {
        std::hint::black_box(energy::grad(std::hint::black_box(x)));
    });
    assert_no_allocation("value_and_grad", || {
        std::hint::black_box(energy::value_and_grad(x));
    });
    assert_no_allocation("jvp", || {
        std::hint::black_box(field::jvp((y,), ([1.0, 0.0, 0.0],)));
    });
    assert_no_allocation("vjp and its pullback", || {
        let (_, pullback) = field::vjp(y);
        std::hint::black_box(pullback([1.0, -1.0]));
    });
    assert_no_allocation("jacfwd", || {
        std::hint::black_box(field::jacfwd(y));
    });
    assert_no_allocation("jacrev", || {
        std::hint::black_box(field::jacrev(y));
    });
    // The counter does see allocations (so the assertions above can fail).
    let info = allocation_counter::measure(|| {
        std::hint::black_box(vec![1.0_f64; 4]);
    });
    assert_eq!(info.count_total, 1);
}
