import Testing
import Foundation
@testable import PPLDistributions

@Suite struct ScalarDistributionTests {
    /// Scalar parameters of the valid example, as the VM passes them.
    static func reals(_ id: FamilyID) -> [Double] {
        Examples.valid(id).map { $0.asReal ?? .nan } + [0, 0, 0]
    }

    @Test func fastPathMatchesTheGeneralPathDrawForDraw() throws {
        for id in FamilyID.allCases where id.isScalar {
            let p = Self.reals(id)
            let fast = try ScalarDistribution.make(id, p[0], p[1], p[2])
            #expect(fast.id == id)
            #expect(fast.isDiscrete == id.family.isDiscrete, "\(id)")
            let general = try id.family.make(Examples.valid(id))
            #expect(fast.support == general.support)
            var a = RandomStream(seed: 5, stream: 2)
            var b = RandomStream(seed: 5, stream: 2)
            for _ in 0..<200 {
                let x = fast.sample(using: &a)
                let v = general.sample(using: &b)
                #expect(x == v.asReal, "\(id)")
                #expect(fast.logDensity(x) == general.logDensity(v), "\(id)")
            }
        }
    }

    @Test func byNameAndByIDAgree() throws {
        let a = try ScalarDistribution.make("Gamma", 2, 3)
        let b = try ScalarDistribution.make(.gamma, 2, 3)
        #expect(a.logDensity(0.7) == b.logDensity(0.7))
        #expect(throws: DistributionError.self) { _ = try ScalarDistribution.make("Gama", 2, 3) }
    }

    @Test func nonScalarFamiliesAndNonIntegralCountsAreErrors() {
        for id in FamilyID.allCases where !id.isScalar {
            #expect(throws: DistributionError.self) { _ = try ScalarDistribution.make(id, 1, 1, 1) }
        }
        #expect { _ = try ScalarDistribution.make(.binomial, 2.5, 0.5) } throws: { error in
            (error as? DistributionError)?.parameter == "n"
        }
        #expect { _ = try ScalarDistribution.make(.discreteUniform, 0, 3.2) } throws: { error in
            (error as? DistributionError)?.parameter == "b"
        }
        #expect { _ = try ScalarDistribution.make(.normal, 0, -1) } throws: { error in
            (error as? DistributionError)?.description == "Normal: parameter 'sigma' must be positive, got -1.0"
        }
    }

    @Test func discreteFamiliesScoreNonIntegersAsImpossible() throws {
        for id in FamilyID.allCases where id.isScalar && id.family.isDiscrete && id != .dirac {
            let p = Self.reals(id)
            let d = try ScalarDistribution.make(id, p[0], p[1], p[2])
            #expect(d.logDensity(1.5) == -.infinity, "\(id)")
            #expect(d.logDensity(.nan) == -.infinity, "\(id)")
            #expect(d.logDensity(1).isFinite, "\(id)")
        }
    }
}
