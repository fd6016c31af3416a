extension ScalarDistribution {
    /// log p(x) under family `id` with parameters (a, b, c), without building a `ScalarDistribution`:
    /// the same number as `make(id, a, b, c).logDensity(x)`, nil where `make` would throw.
    ///
    /// Re-scoring a site in MH does this twice per step; building the enum and switching on it
    /// again costs more than the density itself. Each case builds the family's struct (whose
    /// initialiser checks the parameters) and calls its own `logDensity`, so no formula is repeated.
    public static func logDensity(_ id: FamilyID, at x: Double, _ a: Double, _ b: Double = 0, _ c: Double = 0) -> Double? {
        do throws(DistributionError) {
            switch id {
            case .normal: return try Normal(mu: a, sigma: b).logDensity(x)
            case .halfNormal: return try HalfNormal(sigma: a).logDensity(x)
            case .logNormal: return try LogNormal(mu: a, sigma: b).logDensity(x)
            case .studentT: return try StudentT(nu: a, mu: b, sigma: c).logDensity(x)
            case .cauchy: return try Cauchy(mu: a, sigma: b).logDensity(x)
            case .halfCauchy: return try HalfCauchy(sigma: a).logDensity(x)
            case .laplace: return try Laplace(mu: a, sigma: b).logDensity(x)
            case .logistic: return try Logistic(mu: a, sigma: b).logDensity(x)
            case .uniform: return try Uniform(a: a, b: b).logDensity(x)
            case .exponential: return try Exponential(lambda: a).logDensity(x)
            case .gamma: return try Gamma(alpha: a, beta: b).logDensity(x)
            case .inverseGamma: return try InverseGamma(alpha: a, beta: b).logDensity(x)
            case .beta: return try Beta(alpha: a, beta: b).logDensity(x)
            case .chiSquared: return try ChiSquared(nu: a).logDensity(x)
            case .weibull: return try Weibull(alpha: a, sigma: b).logDensity(x)
            case .pareto: return try Pareto(yMin: a, alpha: b).logDensity(x)
            case .dirac: return try Dirac(x: a).logDensity(x)
            default: return try make(id, a, b, c).logDensity(x)
            }
        } catch {
            return nil
        }
    }
}
