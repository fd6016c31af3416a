import PPLDistributions

/// Valid and invalid arguments for every family, shared by the tests.
enum Examples {
    /// One valid argument list per family, in catalogue order.
    static func valid(_ id: FamilyID) -> [Value] {
        switch id {
        case .normal: [.real(1), .real(2)]
        case .halfNormal: [.real(1.5)]
        case .logNormal: [.real(0.3), .real(0.8)]
        case .studentT: [.real(5), .real(1), .real(2)]
        case .cauchy: [.real(-1), .real(0.5)]
        case .halfCauchy: [.real(2)]
        case .laplace: [.real(1), .real(3)]
        case .logistic: [.real(2), .real(0.7)]
        case .uniform: [.real(-2), .real(5)]
        case .exponential: [.real(1.7)]
        case .gamma: [.real(2.5), .real(1.5)]
        case .inverseGamma: [.real(5), .real(2)]
        case .beta: [.real(2), .real(3)]
        case .chiSquared: [.real(4)]
        case .weibull: [.real(1.5), .real(2)]
        case .pareto: [.real(1.5), .real(5)]
        case .bernoulli: [.real(0.3)]
        case .binomial: [.int(20), .real(0.35)]
        case .poisson: [.real(3.5)]
        case .geometric: [.real(0.3)]
        case .negativeBinomial: [.real(3), .real(0.5)]
        case .categorical: [.reals([0.2, 0.5, 0.3])]
        case .discreteUniform: [.int(-2), .int(4)]
        case .dirichlet: [.reals([2, 3, 1.5])]
        case .multinomial: [.int(10), .reals([0.2, 0.5, 0.3])]
        case .multivariateNormal:
            [.reals([1, -1]), .matrix(Matrix(rows: 2, columns: 2, elements: [2, 0.6, 0.6, 1]))]
        case .dirac: [.real(2.5)]
        case .bradleyTerry: [.real(2), .real(0.5)]
        case .davidson: [.real(2), .real(0.5), .real(0.7)]
        }
    }

    /// Bad argument lists per family and the parameter each error must name.
    static func invalid(_ id: FamilyID) -> [([Value], String)] {
        let nan = Double.nan
        switch id {
        case .normal: return [([.real(0), .real(-1)], "sigma"), ([.real(nan), .real(1)], "mu"), ([.real(0), .real(0)], "sigma")]
        case .halfNormal: return [([.real(0)], "sigma"), ([.real(nan)], "sigma")]
        case .logNormal: return [([.real(0), .real(-1)], "sigma"), ([.real(.infinity), .real(1)], "mu")]
        case .studentT: return [([.real(0), .real(0), .real(1)], "nu"), ([.real(3), .real(0), .real(-2)], "sigma"), ([.real(3), .real(nan), .real(1)], "mu")]
        case .cauchy: return [([.real(0), .real(0)], "sigma")]
        case .halfCauchy: return [([.real(-1)], "sigma")]
        case .laplace: return [([.real(0), .real(-0.5)], "sigma")]
        case .logistic: return [([.real(0), .real(nan)], "sigma")]
        case .uniform: return [([.real(1), .real(1)], "b"), ([.real(2), .real(1)], "b"), ([.real(nan), .real(1)], "a")]
        case .exponential: return [([.real(0)], "lambda"), ([.real(-2)], "lambda")]
        case .gamma: return [([.real(0), .real(1)], "alpha"), ([.real(1), .real(-1)], "beta")]
        case .inverseGamma: return [([.real(-1), .real(1)], "alpha"), ([.real(1), .real(0)], "beta")]
        case .beta: return [([.real(0), .real(1)], "alpha"), ([.real(1), .real(nan)], "beta")]
        case .chiSquared: return [([.real(0)], "nu")]
        case .weibull: return [([.real(0), .real(1)], "alpha"), ([.real(1), .real(-1)], "sigma")]
        case .pareto: return [([.real(0), .real(1)], "y_min"), ([.real(1), .real(0)], "alpha")]
        case .bernoulli: return [([.real(1.5)], "p"), ([.real(nan)], "p")]
        case .binomial: return [([.int(-1), .real(0.5)], "n"), ([.int(3), .real(1.2)], "p")]
        case .poisson: return [([.real(-1)], "lambda"), ([.real(nan)], "lambda"), ([.real(1e10)], "lambda")]
        case .geometric: return [([.real(0)], "p"), ([.real(1.1)], "p")]
        case .negativeBinomial: return [([.real(0), .real(1)], "alpha"), ([.real(1), .real(-1)], "beta")]
        case .categorical: return [([.reals([0.5, 0.6])], "p"), ([.reals([-0.1, 1.1])], "p"), ([.reals([])], "p"), ([.reals([0.5, nan])], "p")]
        case .discreteUniform: return [([.int(3), .int(2)], "b")]
        case .dirichlet: return [([.reals([1, 0])], "alpha"), ([.reals([])], "alpha")]
        case .multinomial: return [([.int(-1), .reals([0.5, 0.5])], "n"), ([.int(3), .reals([0.5, 0.4])], "p")]
        case .multivariateNormal:
            return [
                ([.reals([0, 0]), .matrix(Matrix(rows: 2, columns: 2, elements: [1, 2, 2, 1]))], "Sigma"),   // indefinite
                ([.reals([0, 0]), .matrix(Matrix(rows: 2, columns: 2, elements: [1, 0.5, 0.2, 1]))], "Sigma"), // asymmetric
                ([.reals([0, 0, 0]), .matrix(Matrix(rows: 2, columns: 2, elements: [1, 0, 0, 1]))], "Sigma"),  // wrong shape
                ([.reals([0, nan]), .matrix(Matrix(rows: 2, columns: 2, elements: [1, 0, 0, 1]))], "mu"),
            ]
        case .dirac: return [([.real(.infinity)], "x")]
        case .bradleyTerry: return [([.real(0), .real(1)], "si"), ([.real(1), .real(-2)], "sj"), ([.real(nan), .real(1)], "si"),
                                    ([.real(1), .real(.infinity)], "sj")]
        case .davidson: return [([.real(-1), .real(1), .real(0.5)], "si"), ([.real(1), .real(0), .real(0.5)], "sj"),
                                ([.real(1), .real(1), .real(-0.1)], "nu"), ([.real(1), .real(1), .real(nan)], "nu")]
        }
    }
}
