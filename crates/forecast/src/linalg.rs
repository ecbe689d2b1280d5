//! Weighted least squares by normal equations and a Cholesky factorisation: the
//! designs here have at most 14 well-scaled columns (an intercept, a short-week term
//! and sine/cosine pairs in `[-1, 1]`), where that is accurate enough.

/// Accumulates `XᵀWX` and `XᵀWy` row by row.
pub(crate) struct Normal {
    p: usize,
    xtx: Vec<f64>,
    xty: Vec<f64>,
}

impl Normal {
    pub(crate) fn new(p: usize) -> Self {
        Normal {
            p,
            xtx: vec![0.0; p * p],
            xty: vec![0.0; p],
        }
    }

    pub(crate) fn add(&mut self, x: &[f64], y: f64, w: f64) {
        let p = self.p;
        for i in 0..p {
            let wxi = w * x[i];
            self.xty[i] += wxi * y;
            for (cell, xj) in self.xtx[i * p..=i * p + i].iter_mut().zip(x) {
                *cell += wxi * xj;
            }
        }
    }

    /// The coefficients, with `ridge` added to the diagonal except the first
    /// (intercept) column; none when the system is not positive definite.
    pub(crate) fn solve(&self, ridge: f64) -> Option<Vec<f64>> {
        let p = self.p;
        let mut l = vec![0.0; p * p];
        for i in 0..p {
            for j in 0..=i {
                let mut s = self.xtx[i * p + j];
                if i == j && i > 0 {
                    s += ridge;
                }
                for k in 0..j {
                    s -= l[i * p + k] * l[j * p + k];
                }
                if i == j {
                    if s <= 1e-12 {
                        return None;
                    }
                    l[i * p + i] = s.sqrt();
                } else {
                    l[i * p + j] = s / l[j * p + j];
                }
            }
        }
        let mut z = vec![0.0; p];
        for i in 0..p {
            let s: f64 = (0..i).map(|k| l[i * p + k] * z[k]).sum();
            z[i] = (self.xty[i] - s) / l[i * p + i];
        }
        let mut b = vec![0.0; p];
        for i in (0..p).rev() {
            let s: f64 = (i + 1..p).map(|k| l[k * p + i] * b[k]).sum();
            b[i] = (z[i] - s) / l[i * p + i];
        }
        Some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_an_exact_line() {
        let mut n = Normal::new(2);
        for i in 0..10 {
            let x = f64::from(i);
            n.add(&[1.0, x], 3.0 - 0.5 * x, 1.0 + x);
        }
        let b = n.solve(0.0).unwrap();
        assert!((b[0] - 3.0).abs() < 1e-9 && (b[1] + 0.5).abs() < 1e-9);
    }

    #[test]
    fn refuses_a_singular_system() {
        let mut n = Normal::new(2);
        for _ in 0..5 {
            n.add(&[1.0, 2.0], 1.0, 1.0);
        }
        assert!(n.solve(0.0).is_none());
    }
}
