import Foundation
import Testing
@testable import PPLInference

@Suite struct BradleyTerrySolverTests {
    /// Plain BT (draws and venues left out) on the largest strongly connected component.
    static func largestComponent(_ name: String) throws -> ComparisonData {
        let data = try BTFixtures.load(name)
        let graph = ComparisonGraph(data, ties: .drop)
        return data.restricted(to: graph.stronglyConnectedComponents().largest)
    }

    static func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
    }

    /// Newman and Zermelo, both run to a change below 1e-12, agree to 1e-8: MLE on the largest component, MAP on all items.
    @Test(arguments: BTFixtures.dataSets)
    func newmanAndZermeloAgreeOnTheRealData(name: String) throws {
        for prior in [BradleyTerryOptions.Prior.none, .newman] {
            let data = prior == .none ? try Self.largestComponent(name) : try BTFixtures.load(name)
            let newman = try BradleyTerry.fit(data, options: .init(method: .newman, prior: prior, ties: .drop))
            let zermelo = try BradleyTerry.fit(data, options: .init(method: .zermelo, prior: prior, ties: .drop, maxIterations: 200_000))
            #expect(newman.converged && zermelo.converged)
            #expect(newman.finalChange < 1e-12 && zermelo.finalChange < 1e-12)
            #expect(Self.maxDifference(newman.scores, zermelo.scores) < 1e-8, "\(name) \(prior)")
            #expect(abs(newman.logLikelihood - zermelo.logLikelihood) < 1e-8 * abs(newman.logLikelihood))
            // The closing note's figures: iterations and times per data set.
            print("BT-FIGURE \(name) \(prior == .none ? "MLE" : "MAP") items=\(data.itemCount) newman=\(newman.iterations) it "
                  + "\(String(format: "%.4f", newman.seconds)) s, zermelo=\(zermelo.iterations) it \(String(format: "%.4f", zermelo.seconds)) s, "
                  + "ratio=\(String(format: "%.1f", Double(zermelo.iterations) / Double(newman.iterations)))")
            #expect(newman.iterations < zermelo.iterations)
        }
    }

    @Test(arguments: [(50, 2_000, UInt64(1)), (400, 20_000, 2), (200, 3_000, 3)])
    func newmanAndZermeloAgreeOnSyntheticData(items: Int, games: Int, seed: UInt64) throws {
        let (data, truth) = BTFixtures.synthetic(items: items, games: games, seed: seed)
        let newman = try BradleyTerry.fit(data)
        let zermelo = try BradleyTerry.fit(data, options: .init(method: .zermelo, maxIterations: 200_000))
        #expect(newman.converged && zermelo.converged)
        #expect(Self.maxDifference(newman.scores, zermelo.scores) < 1e-8)
        // Both estimate the truth: the centred truth correlates strongly with the estimate.
        let mean = truth.reduce(0, +) / Double(items)
        let centred = truth.map { $0 - mean }
        let dot = zip(centred, newman.scores).map(*).reduce(0, +)
        let correlation = dot / (centred.map { $0 * $0 }.reduce(0, +) * newman.scores.map { $0 * $0 }.reduce(0, +)).squareRoot()
        #expect(correlation > 0.8)
        let map = try BradleyTerry.fit(data, options: .init(prior: .newman))
        let mapZermelo = try BradleyTerry.fit(data, options: .init(method: .zermelo, prior: .newman, maxIterations: 200_000))
        #expect(Self.maxDifference(map.scores, mapZermelo.scores) < 1e-8)
    }

    /// Negative control: a Zermelo run stopped early (change < 1e-4) fails the same 1e-8 agreement check.
    @Test func agreementCheckRejectsAnUnconvergedRun() throws {
        let data = try Self.largestComponent("nfl_games")
        let newman = try BradleyTerry.fit(data, options: .init(ties: .drop))
        let early = try BradleyTerry.fit(data, options: .init(method: .zermelo, ties: .drop, tolerance: 1e-4))
        #expect(Self.maxDifference(newman.scores, early.scores) > 1e-8)
    }

    /// The all-at-once (Jacobi) form of Newman's update does not converge on the football and NFL
    /// components, while the in-place form does, without damping.
    @Test(arguments: ["intl_football", "nfl_games"])
    func inPlaceConvergesWhereAllAtOnceFails(name: String) throws {
        let data = try Self.largestComponent(name)
        let inPlace = try BradleyTerry.fit(data, options: .init(ties: .drop))
        #expect(inPlace.converged && inPlace.damping == 1)
        let allAtOnce = try BradleyTerry.fit(data, options: .init(update: .simultaneous, ties: .drop, maxIterations: 5_000,
                                                                  dampOscillation: false))
        #expect(!allAtOnce.converged)
        print("BT-FIGURE \(name) all-at-once Newman after \(allAtOnce.iterations) sweeps: change \(allAtOnce.finalChange); "
              + "in place: \(inPlace.iterations) sweeps")
    }

    @Test func disconnectedDataNeedAPriorOrAComponent() throws {
        let data = try BTFixtures.load("nfl_games")
        do {
            _ = try BradleyTerry.fit(data, options: .init(ties: .drop))
            Issue.record("the MLE does not exist on all NFL franchises")
        } catch {
            guard case .notStronglyConnected(let count, let largest, let items, let others) = error else {
                Issue.record("wrong error \(error)"); return
            }
            #expect(count == 42 && largest == 81 && items == 123 && !others.isEmpty)
            #expect(error.description.contains("--component largest") && error.description.contains("--prior newman"))
        }
        let map = try BradleyTerry.fit(data, options: .init(prior: .newman, ties: .drop))
        #expect(map.converged && map.scores.allSatisfy { $0.isFinite })
    }

    /// Against SciPy maximising the same likelihoods (scripts/fixtures/bt_reference.py).
    @Test func matchesTheSciPyReferenceOnNFL2019() throws {
        let reference = try BTFixtures.fixture("BradleyTerryReference.json")
        let data = try BTFixtures.nfl2019()
        let names = try #require(reference["items"] as? [String])
        #expect(names == data.itemNames)
        let cases: [(String, BradleyTerryOptions)] = [
            ("plain", .init(ties: .drop)),
            ("map", .init(prior: .newman, ties: .drop)),
            ("davidson", .init(ties: .davidson, homeAdvantage: true)),
        ]
        for (key, options) in cases {
            let expected = try #require(reference[key] as? [String: Any])
            let scores = try #require(expected["scores"] as? [Double])
            let errors = try #require(expected["se"] as? [Double])
            let logLikelihood = try #require(expected["logLikelihood"] as? Double)
            for method in [BradleyTerryOptions.Method.newman, .zermelo] {
                var o = options
                o.method = method
                o.maxIterations = 200_000
                let fit = try BradleyTerry.fit(data, options: o)
                #expect(fit.converged, "\(key) \(method)")
                #expect(Self.maxDifference(fit.scores, scores) < 1e-6, "\(key) \(method)")
                #expect(abs(fit.logLikelihood - logLikelihood) < 1e-8, "\(key) \(method)")
                if key == "davidson" {
                    #expect(abs(try #require(fit.tieParameter) / (expected["tieParameter"] as! Double) - 1) < 1e-5)
                    #expect(abs(try #require(fit.homeAdvantage) / (expected["homeAdvantage"] as! Double) - 1) < 1e-6)
                }
                let intervals = try BradleyTerryIntervals(fit: fit, graph: ComparisonGraph(data, ties: o.ties, home: o.homeAdvantage))
                let relative = zip(intervals.standardErrors, errors).map { abs($0 / $1 - 1) }.max() ?? 1
                #expect(relative < 1e-4, "\(key) \(method) standard errors")
                if key == "davidson" {
                    #expect(abs(try #require(intervals.logTieParameterError) / (expected["logTieParameterSE"] as! Double) - 1) < 1e-4)
                    #expect(abs(try #require(intervals.logHomeAdvantageError) / (expected["logHomeAdvantageSE"] as! Double) - 1) < 1e-4)
                }
            }
        }
    }

    /// Negative control for the reference check: ignoring the home factor moves the fit outside the tolerance.
    @Test func referenceCheckRejectsTheWrongModel() throws {
        let reference = try BTFixtures.fixture("BradleyTerryReference.json")
        let expected = try #require((reference["davidson"] as? [String: Any])?["scores"] as? [Double])
        let fit = try BradleyTerry.fit(try BTFixtures.nfl2019(), options: .init(ties: .davidson, homeAdvantage: false))
        #expect(Self.maxDifference(fit.scores, expected) > 1e-3)
    }

    @Test func aTenThousandItemMillionGameProblemIsRoutine() throws {
        let (data, _) = BTFixtures.synthetic(items: 10_000, games: 1_000_000, seed: 11)
        let graph = ComparisonGraph(data)
        let fit = try BradleyTerry.fit(graph, options: .init(tolerance: 1e-8))
        #expect(fit.converged)
        #expect(fit.iterations < 200)
        print("BT-FIGURE synthetic 10^4 items x 10^6 games (debug build): \(fit.iterations) sweeps in \(String(format: "%.2f", fit.seconds)) s")
    }
}

@Suite struct BradleyTerryDampingTests {
    /// The damping safeguard: the oscillating all-at-once form, damped when its change stalls, settles on the
    /// same estimate as the in-place form (this exercises the damping path, which the in-place form never needs here).
    @Test(arguments: ["intl_football", "nfl_games"])
    func dampingRescuesTheOscillatingForm(name: String) throws {
        let data = try BradleyTerrySolverTests.largestComponent(name)
        let inPlace = try BradleyTerry.fit(data, options: .init(ties: .drop))
        let damped = try BradleyTerry.fit(data, options: .init(update: .simultaneous, ties: .drop, maxIterations: 50_000))
        #expect(damped.converged)
        #expect(damped.damping < 1)
        #expect(BradleyTerrySolverTests.maxDifference(damped.scores, inPlace.scores) < 1e-8)
        print("BT-FIGURE \(name) all-at-once Newman with damping: \(damped.iterations) sweeps, damping factor \(damped.damping)")
    }
}
