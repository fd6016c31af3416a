/// A scalar-parameter, scalar-draw distribution held inline, for the VM's hot path.
///
/// One case per scalar family holding the family's struct, so `sample` and `logDensity`
/// are a switch and a direct GSL call: no existentials, arrays or strings. Draws and
/// arguments are Doubles; integer-valued draws are integral Doubles and a non-integral
/// argument to a discrete `logDensity` scores -infinity.
public enum ScalarDistribution: Sendable {
    case normal(Normal)
    case halfNormal(HalfNormal)
    case logNormal(LogNormal)
    case studentT(StudentT)
    case cauchy(Cauchy)
    case halfCauchy(HalfCauchy)
    case laplace(Laplace)
    case logistic(Logistic)
    case uniform(Uniform)
    case exponential(Exponential)
    case gamma(Gamma)
    case inverseGamma(InverseGamma)
    case beta(Beta)
    case chiSquared(ChiSquared)
    case weibull(Weibull)
    case pareto(Pareto)
    case bernoulli(Bernoulli)
    case binomial(Binomial)
    case poisson(Poisson)
    case geometric(Geometric)
    case negativeBinomial(NegativeBinomial)
    case discreteUniform(DiscreteUniform)
    case dirac(Dirac)
    case bradleyTerry(BradleyTerry)
    case davidson(Davidson)

    /// Builds family `id` from up to three real parameters in the catalogue's order; unused slots are ignored.
    ///
    /// Integer parameters (Binomial's n, DiscreteUniform's a and b) must be integral.
    /// Throws for a non-scalar family (`id.isScalar == false`) naming its first parameter.
    public static func make(_ id: FamilyID, _ a: Double, _ b: Double = 0, _ c: Double = 0) throws(DistributionError) -> ScalarDistribution {
        switch id {
        case .normal: return .normal(try Normal(mu: a, sigma: b))
        case .halfNormal: return .halfNormal(try HalfNormal(sigma: a))
        case .logNormal: return .logNormal(try LogNormal(mu: a, sigma: b))
        case .studentT: return .studentT(try StudentT(nu: a, mu: b, sigma: c))
        case .cauchy: return .cauchy(try Cauchy(mu: a, sigma: b))
        case .halfCauchy: return .halfCauchy(try HalfCauchy(sigma: a))
        case .laplace: return .laplace(try Laplace(mu: a, sigma: b))
        case .logistic: return .logistic(try Logistic(mu: a, sigma: b))
        case .uniform: return .uniform(try Uniform(a: a, b: b))
        case .exponential: return .exponential(try Exponential(lambda: a))
        case .gamma: return .gamma(try Gamma(alpha: a, beta: b))
        case .inverseGamma: return .inverseGamma(try InverseGamma(alpha: a, beta: b))
        case .beta: return .beta(try Beta(alpha: a, beta: b))
        case .chiSquared: return .chiSquared(try ChiSquared(nu: a))
        case .weibull: return .weibull(try Weibull(alpha: a, sigma: b))
        case .pareto: return .pareto(try Pareto(yMin: a, alpha: b))
        case .bernoulli: return .bernoulli(try Bernoulli(p: a))
        case .binomial: return .binomial(try Binomial(n: Check.integral(a, "Binomial", "n"), p: b))
        case .poisson: return .poisson(try Poisson(lambda: a))
        case .geometric: return .geometric(try Geometric(p: a))
        case .negativeBinomial: return .negativeBinomial(try NegativeBinomial(alpha: a, beta: b))
        case .discreteUniform:
            return .discreteUniform(try DiscreteUniform(a: Check.integral(a, "DiscreteUniform", "a"),
                                                        b: Check.integral(b, "DiscreteUniform", "b")))
        case .dirac: return .dirac(try Dirac(x: a))
        case .bradleyTerry: return .bradleyTerry(try BradleyTerry(si: a, sj: b))
        case .davidson: return .davidson(try Davidson(si: a, sj: b, nu: c))
        case .categorical, .dirichlet, .multinomial, .multivariateNormal:
            let family = id.family
            throw DistributionError(family: family.name, parameter: family.parameters.first?.name ?? "",
                                    "takes an array, so the family has no scalar fast path")
        }
    }

    /// Builds by family name (resolve names once, outside hot loops).
    public static func make(_ name: String, _ a: Double, _ b: Double = 0, _ c: Double = 0) throws(DistributionError) -> ScalarDistribution {
        guard let family = Catalogue.family(named: name) else {
            throw DistributionError(family: name, parameter: "", "is not a distribution family")
        }
        return try make(family.id, a, b, c)
    }

    /// One draw as a Double (integral for discrete families).
    @inlinable public func sample(using rng: inout RandomStream) -> Double {
        switch self {
        case .normal(let d): d.sample(using: &rng)
        case .halfNormal(let d): d.sample(using: &rng)
        case .logNormal(let d): d.sample(using: &rng)
        case .studentT(let d): d.sample(using: &rng)
        case .cauchy(let d): d.sample(using: &rng)
        case .halfCauchy(let d): d.sample(using: &rng)
        case .laplace(let d): d.sample(using: &rng)
        case .logistic(let d): d.sample(using: &rng)
        case .uniform(let d): d.sample(using: &rng)
        case .exponential(let d): d.sample(using: &rng)
        case .gamma(let d): d.sample(using: &rng)
        case .inverseGamma(let d): d.sample(using: &rng)
        case .beta(let d): d.sample(using: &rng)
        case .chiSquared(let d): d.sample(using: &rng)
        case .weibull(let d): d.sample(using: &rng)
        case .pareto(let d): d.sample(using: &rng)
        case .bernoulli(let d): Double(d.sample(using: &rng))
        case .binomial(let d): Double(d.sample(using: &rng))
        case .poisson(let d): Double(d.sample(using: &rng))
        case .geometric(let d): Double(d.sample(using: &rng))
        case .negativeBinomial(let d): Double(d.sample(using: &rng))
        case .discreteUniform(let d): Double(d.sample(using: &rng))
        case .dirac(let d): d.sample(using: &rng)
        case .bradleyTerry(let d): Double(d.sample(using: &rng))
        case .davidson(let d): Double(d.sample(using: &rng))
        }
    }

    /// log p(x); -infinity outside the support, for NaN, and for non-integral x in a discrete family.
    @inlinable public func logDensity(_ x: Double) -> Double {
        switch self {
        case .normal(let d): return d.logDensity(x)
        case .halfNormal(let d): return d.logDensity(x)
        case .logNormal(let d): return d.logDensity(x)
        case .studentT(let d): return d.logDensity(x)
        case .cauchy(let d): return d.logDensity(x)
        case .halfCauchy(let d): return d.logDensity(x)
        case .laplace(let d): return d.logDensity(x)
        case .logistic(let d): return d.logDensity(x)
        case .uniform(let d): return d.logDensity(x)
        case .exponential(let d): return d.logDensity(x)
        case .gamma(let d): return d.logDensity(x)
        case .inverseGamma(let d): return d.logDensity(x)
        case .beta(let d): return d.logDensity(x)
        case .chiSquared(let d): return d.logDensity(x)
        case .weibull(let d): return d.logDensity(x)
        case .pareto(let d): return d.logDensity(x)
        case .dirac(let d): return d.logDensity(x)
        case .bernoulli(let d):
            guard let k = LogMath.exactInteger(x) else { return -.infinity }
            return d.logDensity(k)
        case .binomial(let d):
            guard let k = LogMath.exactInteger(x) else { return -.infinity }
            return d.logDensity(k)
        case .poisson(let d):
            guard let k = LogMath.exactInteger(x) else { return -.infinity }
            return d.logDensity(k)
        case .geometric(let d):
            guard let k = LogMath.exactInteger(x) else { return -.infinity }
            return d.logDensity(k)
        case .negativeBinomial(let d):
            guard let k = LogMath.exactInteger(x) else { return -.infinity }
            return d.logDensity(k)
        case .discreteUniform(let d):
            guard let k = LogMath.exactInteger(x) else { return -.infinity }
            return d.logDensity(k)
        case .bradleyTerry(let d):
            guard let k = LogMath.exactInteger(x) else { return -.infinity }
            return d.logDensity(k)
        case .davidson(let d):
            guard let k = LogMath.exactInteger(x) else { return -.infinity }
            return d.logDensity(k)
        }
    }

    /// The family this instance belongs to.
    public var id: FamilyID {
        switch self {
        case .normal: .normal
        case .halfNormal: .halfNormal
        case .logNormal: .logNormal
        case .studentT: .studentT
        case .cauchy: .cauchy
        case .halfCauchy: .halfCauchy
        case .laplace: .laplace
        case .logistic: .logistic
        case .uniform: .uniform
        case .exponential: .exponential
        case .gamma: .gamma
        case .inverseGamma: .inverseGamma
        case .beta: .beta
        case .chiSquared: .chiSquared
        case .weibull: .weibull
        case .pareto: .pareto
        case .bernoulli: .bernoulli
        case .binomial: .binomial
        case .poisson: .poisson
        case .geometric: .geometric
        case .negativeBinomial: .negativeBinomial
        case .discreteUniform: .discreteUniform
        case .dirac: .dirac
        case .bradleyTerry: .bradleyTerry
        case .davidson: .davidson
        }
    }

    public var support: Support {
        switch self {
        case .normal(let d): d.support
        case .halfNormal(let d): d.support
        case .logNormal(let d): d.support
        case .studentT(let d): d.support
        case .cauchy(let d): d.support
        case .halfCauchy(let d): d.support
        case .laplace(let d): d.support
        case .logistic(let d): d.support
        case .uniform(let d): d.support
        case .exponential(let d): d.support
        case .gamma(let d): d.support
        case .inverseGamma(let d): d.support
        case .beta(let d): d.support
        case .chiSquared(let d): d.support
        case .weibull(let d): d.support
        case .pareto(let d): d.support
        case .bernoulli(let d): d.support
        case .binomial(let d): d.support
        case .poisson(let d): d.support
        case .geometric(let d): d.support
        case .negativeBinomial(let d): d.support
        case .discreteUniform(let d): d.support
        case .dirac(let d): d.support
        case .bradleyTerry(let d): d.support
        case .davidson(let d): d.support
        }
    }

    /// Whether draws are integers (Dirac counts as discrete: it is a point mass).
    @inlinable public var isDiscrete: Bool {
        switch self {
        case .bernoulli, .binomial, .poisson, .geometric, .negativeBinomial, .discreteUniform, .dirac, .bradleyTerry, .davidson: true
        default: false
        }
    }
}
