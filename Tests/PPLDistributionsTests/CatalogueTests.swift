import Testing
import Foundation
@testable import PPLDistributions

@Suite struct CatalogueTests {
    @Test func familiesAreIndexedByTheirID() {
        #expect(Catalogue.families.count == FamilyID.allCases.count)
        for (index, family) in Catalogue.families.enumerated() {
            #expect(family.id.rawValue == index, "\(family.name)")
            #expect(Catalogue.family(named: family.name)?.id == family.id)
        }
        #expect(Set(Catalogue.names).count == Catalogue.names.count)
    }

    @Test func everyFamilyBuildsSamplesAndScoresItsDraws() {
        for id in FamilyID.allCases {
            let family = id.family
            #expect(family.parameters.count == Examples.valid(id).count, "\(family.name)")
            var rng = RandomStream(seed: 11)
            do {
                let d = try family.make(Examples.valid(id))
                for _ in 0..<50 {
                    let x = d.sample(using: &rng)
                    let score = d.logDensity(x)
                    #expect(score.isFinite, "\(family.name) draw \(x) scored \(score)")
                }
            } catch {
                Issue.record("\(family.name): \(error)")
            }
        }
    }

    @Test func badParametersNameFamilyAndParameter() {
        for id in FamilyID.allCases {
            let name = id.family.name
            for (args, parameter) in Examples.invalid(id) {
                #expect {
                    _ = try id.family.make(args)
                } throws: { error in
                    guard let error = error as? DistributionError else { return false }
                    return error.family == name && error.parameter == parameter
                        && error.description.hasPrefix("\(name): parameter '\(parameter)'")
                }
            }
        }
    }

    @Test func missingArgumentsAreErrorsNotCrashes() {
        for id in FamilyID.allCases {
            #expect(throws: DistributionError.self) { _ = try id.family.make([]) }
        }
    }

    @Test func finiteSupportsAreListedForEnumeration() throws {
        let binomial = try Binomial.family.make([.int(4), .real(0.5)])
        #expect(binomial.finiteValues == (0...4).map(Value.int))
        let categorical = try Categorical.family.make([.reals([0.2, 0.8])])
        #expect(categorical.finiteValues == [.int(0), .int(1)])
        let uniform = try DiscreteUniform.family.make([.int(-1), .int(1)])
        #expect(uniform.finiteValues == [.int(-1), .int(0), .int(1)])
        #expect(try Dirac.family.make([.real(2)]).finiteValues == [.real(2)])
        #expect(try Binomial.family.make([.int(1_000_000), .real(0.5)]).finiteValues == nil)
        #expect(try Poisson.family.make([.real(2)]).finiteValues == nil)
        // Enumerated masses sum to one.
        for d in [binomial, categorical, uniform] {
            let total = d.finiteValues?.reduce(0.0) { $0 + exp(d.logDensity($1)) } ?? 0
            #expect(abs(total - 1) < 1e-12, "\(d.family)")
        }
    }

    @Test func wrongShapesScoreMinusInfinity() throws {
        let mvn = try MultivariateNormal.family.make(Examples.valid(.multivariateNormal))
        #expect(mvn.logDensity(.reals([1, 2, 3])) == -.infinity)
        #expect(mvn.logDensity(.real(1)) == -.infinity)
        let dirichlet = try Dirichlet.family.make(Examples.valid(.dirichlet))
        #expect(dirichlet.logDensity(.reals([0.5, 0.6, -0.1])) == -.infinity)
        #expect(dirichlet.logDensity(.reals([0.5, 0.4, 0.2])) == -.infinity)  // off the simplex
        let multinomial = try Multinomial.family.make(Examples.valid(.multinomial))
        #expect(multinomial.logDensity(.ints([3, 3, 3])) == -.infinity)       // sums to 9, not 10
        #expect(multinomial.logDensity(.ints([11, -1, 0])) == -.infinity)
        let normal = try Normal.family.make([.real(0), .real(1)])
        #expect(normal.logDensity(.reals([1])) == -.infinity)
    }

    @Test func matricesMayBeGivenAsArraysOfRows() throws {
        let rows = Value.array([.reals([2, 0.6]), .reals([0.6, 1])])
        let d = try MultivariateNormal.family.make([.reals([1, -1]), rows])
        let m = try MultivariateNormal.family.make(Examples.valid(.multivariateNormal))
        #expect(d.logDensity(.reals([0.3, 0.2])) == m.logDensity(.reals([0.3, 0.2])))
        #expect(throws: DistributionError.self) {
            _ = try MultivariateNormal.family.make([.reals([1, -1]), .array([.reals([1, 0]), .reals([1])])])
        }
    }
}
