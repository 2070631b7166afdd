//! Float sanitising: the reading of non-finite and negative times every analysis shares.

/// Tolerance under which two path lengths are considered equal (relative to
/// the larger of the two, with an absolute floor of this value).
pub(super) const TIE_EPS: f64 = 1e-9;

/// Replaces non-finite values by `0`.
pub(super) fn finite(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

/// Replaces non-finite and negative values by `0`.
pub(super) fn non_negative(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 { x } else { 0.0 }
}

/// `a` and `b` are equal up to [`TIE_EPS`].
pub(super) fn approx_eq(a: f64, b: f64) -> bool {
    (a - b).abs() <= TIE_EPS * a.abs().max(b.abs()).max(1.0)
}
