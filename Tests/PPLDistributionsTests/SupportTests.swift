import Testing
import Foundation
@testable import PPLDistributions

/// Values outside the support, and NaN, score -infinity rather than crash or return NaN.
@Suite struct SupportTests {
    /// Points outside the support of `Examples.valid(id)`, per family.
    static func outside(_ id: FamilyID) -> [Value] {
        let nan = Double.nan, inf = Double.infinity
        switch id {
        case .normal, .studentT, .cauchy, .laplace, .logistic: return [.real(nan), .real(inf), .real(-inf)]
        case .halfNormal, .halfCauchy, .exponential: return [.real(-1e-300), .real(-1), .real(nan), .real(inf)]
        case .logNormal, .gamma, .inverseGamma, .chiSquared, .weibull: return [.real(0), .real(-2), .real(nan), .real(inf)]
        case .uniform: return [.real(-2.000001), .real(5.5), .real(nan)]
        case .beta: return [.real(0), .real(1), .real(-0.5), .real(1.5), .real(nan)]
        case .pareto: return [.real(1.5.nextDown), .real(0), .real(nan), .real(inf)]
        case .bernoulli: return [.int(-1), .int(2)]
        case .binomial: return [.int(-1), .int(21), .real(3.5)]
        case .poisson, .geometric, .negativeBinomial: return [.int(-1), .int(.min), .real(1.5)]
        case .categorical: return [.int(-1), .int(3)]
        case .discreteUniform: return [.int(-3), .int(5)]
        case .dirichlet: return [.reals([0.2, 0.5, nan]), .reals([0, 0.5, 0.5]), .reals([0.2, 0.8]), .reals([1.2, -0.1, -0.1])]
        case .multinomial: return [.ints([2, 5, 2]), .ints([-1, 6, 5]), .ints([10, 0]), .reals([2, 5, 3])]
        case .multivariateNormal: return [.reals([nan, 0]), .reals([0, inf]), .reals([0])]
        case .dirac: return [.real(2.5.nextUp), .real(nan), .real(0)]
        case .bradleyTerry: return [.int(-1), .int(2), .real(0.5)]
        case .davidson: return [.int(-1), .int(3), .real(1.5)]
        }
    }

    @Test func outOfSupportAndNaNScoreMinusInfinity() throws {
        for id in FamilyID.allCases {
            let d = try id.family.make(Examples.valid(id))
            for x in Self.outside(id) {
                #expect(d.logDensity(x) == -.infinity, "\(id.family.name) at \(x): \(d.logDensity(x))")
            }
        }
    }

    @Test func scalarFastPathRejectsTheSamePoints() throws {
        for id in FamilyID.allCases where id.isScalar {
            let p = Examples.valid(id).map { $0.asReal ?? .nan } + [0, 0, 0]
            let d = try ScalarDistribution.make(id, p[0], p[1], p[2])
            for x in Self.outside(id) {
                let real = try #require(x.asReal)
                #expect(d.logDensity(real) == -.infinity, "\(id.family.name) at \(real)")
            }
        }
    }

    @Test func extremeButValidPointsStayFinite() throws {
        #expect(try Cauchy(mu: 0, sigma: 1).logDensity(1e300).isFinite)
        #expect(try StudentT(nu: 2, mu: 0, sigma: 1).logDensity(-1e300).isFinite)
        #expect(try Logistic(mu: 0, sigma: 1).logDensity(1e300).isFinite)
        #expect(try Normal(mu: 0, sigma: 1).logDensity(1e150).isFinite)
        #expect(try Binomial(n: 0, p: 0.5).logDensity(0) == 0)
        #expect(try Binomial(n: 5, p: 0).logDensity(0) == 0)
        #expect(try Binomial(n: 5, p: 1).logDensity(4) == -.infinity)
        #expect(try Poisson(lambda: 0).logDensity(0) == 0)
        #expect(try Poisson(lambda: 0).logDensity(1) == -.infinity)
        #expect(try Geometric(p: 1).logDensity(0) == 0)
        #expect(try Geometric(p: 1).logDensity(3) == -.infinity)
        #expect(try Categorical(p: [0.5, 0, 0.5]).logDensity(1) == -.infinity)
        #expect(try Multinomial(n: 3, p: [0.5, 0.5, 0, 0]).logDensity([1, 1, 1, 0]) == -.infinity)
        #expect(try Multinomial(n: 3, p: [0.5, 0.5, 0, 0]).logDensity([1, 1, 0, 1]) == -.infinity)
        #expect(try Multinomial(n: 3, p: [0, 0.5, 0.5]).logDensity([1, 1, 1]) == -.infinity)
        #expect(try Multinomial(n: 3, p: [0.5, 0.5, 0, 0]).logDensity([1, 2, 0, 0]).isFinite)
    }

    @Test func supportsDescribeTheFamilies() throws {
        #expect(try Uniform(a: -2, b: 5).support == .interval(-2, 5))
        #expect(try Binomial(n: 20, p: 0.5).support == .integers(0, 20))
        #expect(try Categorical(p: [0.5, 0.5]).support == .integers(0, 1))
        #expect(try Dirichlet(alpha: [1, 2, 3]).support == .simplex(3))
        #expect(try Multinomial(n: 4, p: [0.5, 0.5]).support == .integerVector(2, total: 4))
        for id in FamilyID.allCases {
            let d = try id.family.make(Examples.valid(id))
            #expect(d.support.isDiscrete == id.family.isDiscrete, "\(id.family.name)")
        }
    }
}
