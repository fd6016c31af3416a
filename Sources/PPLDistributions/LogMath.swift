import CGSL

/// Log-space building blocks shared by the families, written so that no density is formed and then logged.
public enum LogMath {
    /// log(2 pi) / 2.
    public static let logSqrtTwoPi = 0.918_938_533_204_672_741_780_329_736_4
    /// log(2 pi).
    public static let logTwoPi = 1.837_877_066_409_345_483_560_659_472_8
    /// log(pi).
    public static let logPi = 1.144_729_885_849_400_174_143_427_351_4
    /// log(2).
    public static let logTwo = 0.693_147_180_559_945_309_417_232_121_46

    /// log(1 + z^2) without overflow when |z| is huge.
    ///
    /// For |z| > 1e150, z^2 overflows; there log(1 + z^2) = 2 log|z| + log1p(z^-2).
    @inlinable public static func log1pSquare(_ z: Double) -> Double {
        let a = Swift.abs(z)
        if a < 1e150 { return log1p(a * a) }
        let inverse = 1 / a
        return 2 * log(a) + log1p(inverse * inverse)
    }

    /// log Gamma(a + 1/2) - log Gamma(a) - log(a)/2, accurate for huge a (Student-t with large nu).
    ///
    /// For a >= 100 the asymptotic series -1/(8a) + 1/(192a^3) - 1/(640a^5) + 17/(14336a^7),
    /// whose next term is below 1e-20; below that GSL's lnpoch loses nothing.
    @usableFromInline static func logGammaHalfRatio(_ a: Double) -> Double {
        if a < 100 { return gsl_sf_lnpoch(a, 0.5) - 0.5 * log(a) }
        let inverse = 1 / a, inverse2 = inverse * inverse
        return inverse * (-1.0 / 8 + inverse2 * (1.0 / 192 + inverse2 * (-1.0 / 640 + inverse2 * 17.0 / 14336)))
    }

    /// The error of Stirling's formula in log space, log(n!) - [(n + 1/2) log n - n + log(2 pi)/2].
    ///
    /// Exact formula for n <= 15 (where it loses nothing in absolute terms),
    /// the asymptotic series with Bernoulli-number coefficients beyond.
    /// Loader, C. (2000), "Fast and accurate computation of binomial probabilities".
    @usableFromInline static func stirlingError(_ n: Double) -> Double {
        if n <= 15 {
            if n == 0 { return 0 }
            return gsl_sf_lngamma(n + 1) - (n + 0.5) * log(n) + n - logSqrtTwoPi
        }
        let s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680, s4 = 1.0 / 1188
        let nn = n * n
        if n > 500 { return (s0 - s1 / nn) / n }
        if n > 80 { return (s0 - (s1 - s2 / nn) / nn) / n }
        if n > 35 { return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n }
        return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n
    }

    /// The deviance term x log(x / m) + m - x, accurate when x is close to m.
    ///
    /// Near x = m it sums the series in v = (x - m) / (x + m):
    /// (x - m) v + 2 x sum_{j>=1} v^(2j+1) / (2j + 1).
    /// Loader (2000).
    @usableFromInline static func deviance(_ x: Double, _ m: Double) -> Double {
        if Swift.abs(x - m) < 0.1 * (x + m) {
            var v = (x - m) / (x + m)
            var sum = (x - m) * v
            var term = 2 * x * v
            v *= v
            var j = 1.0
            while j < 1000 {
                term *= v
                let next = sum + term / (2 * j + 1)
                if next == sum { return next }
                sum = next
                j += 1
            }
            return sum
        }
        return x * log(x / m) + m - x
    }

    /// log C(n, x) p^x q^(n-x) for real n >= x >= 0, by Loader's saddle-point form.
    ///
    /// Keeps full relative accuracy where lgamma differences cancel (n = 10^6).
    /// Loader (2000).
    @usableFromInline static func logBinomialTerm(_ x: Double, _ n: Double, _ p: Double, _ q: Double) -> Double {
        if p == 0 { return x == 0 ? 0 : -.infinity }
        if q == 0 { return x == n ? 0 : -.infinity }
        if x == 0 { return n == 0 ? 0 : (p < q ? n * log1p(-p) : n * log(q)) }
        if x == n { return q < p ? n * log1p(-q) : n * log(p) }
        let lc = stirlingError(n) - stirlingError(x) - stirlingError(n - x)
            - deviance(x, n * p) - deviance(n - x, n * q)
        let lf = logTwoPi + log(x) + log1p(-x / n)
        return lc - 0.5 * lf
    }

    /// log(lambda^x e^-lambda / x!) by Loader's saddle-point form.
    @usableFromInline static func logPoissonTerm(_ x: Double, _ lambda: Double) -> Double {
        if lambda == 0 { return x == 0 ? 0 : -.infinity }
        if x == 0 { return -lambda }
        return -stirlingError(x) - deviance(x, lambda) - 0.5 * (logTwoPi + log(x))
    }

    /// The integer value of `x` when it is integral and fits an Int, else nil.
    @inlinable public static func exactInteger(_ x: Double) -> Int? {
        guard x.isFinite, x.rounded(.towardZero) == x, Swift.abs(x) < 9.0e18 else { return nil }
        return Int(x)
    }
}

/// Validation helpers shared by the families' initialisers.
enum Check {
    static func finite(_ x: Double, _ family: String, _ parameter: String) throws(DistributionError) {
        guard x.isFinite else { throw DistributionError(family: family, parameter: parameter, "must be finite, got \(formatReal(x))") }
    }

    static func positive(_ x: Double, _ family: String, _ parameter: String) throws(DistributionError) {
        guard x > 0, x.isFinite else {
            throw DistributionError(family: family, parameter: parameter, "must be positive and finite, got \(formatReal(x))")
        }
    }

    static func probability(_ x: Double, _ family: String, _ parameter: String) throws(DistributionError) {
        guard x >= 0, x <= 1 else { throw DistributionError(family: family, parameter: parameter, "must be in [0, 1], got \(formatReal(x))") }
    }

    /// A probability vector: non-empty, finite, non-negative, summing to one within 1e-8; returned normalised.
    static func simplex(_ p: [Double], _ family: String, _ parameter: String) throws(DistributionError) -> [Double] {
        guard !p.isEmpty else { throw DistributionError(family: family, parameter: parameter, "must not be empty") }
        var total = 0.0
        for (i, x) in p.enumerated() {
            guard x >= 0, x.isFinite else {
                throw DistributionError(family: family, parameter: parameter, "entry \(i) must be non-negative and finite, got \(formatReal(x))")
            }
            total += x
        }
        guard Swift.abs(total - 1) <= 1e-8 else {
            throw DistributionError(family: family, parameter: parameter, "must sum to 1, sums to \(formatReal(total))")
        }
        return total == 1 ? p : p.map { $0 / total }
    }

    /// A real that must be an integer (Int parameters passed as reals on the VM's fast path).
    static func integral(_ x: Double, _ family: String, _ parameter: String) throws(DistributionError) -> Int {
        guard let n = LogMath.exactInteger(x) else {
            throw DistributionError(family: family, parameter: parameter, "must be an integer, got \(formatReal(x))")
        }
        return n
    }
}
