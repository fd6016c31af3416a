import Foundation
import Testing
import PPLDistributions
@testable import PPLInference

@Suite struct EnumerateTests {
    /// P(j, m | a) with John calling w.p. 0.90/0.05 and Mary 0.70/0.01 given alarm / no alarm.
    static func evidence(alarm pa: Double) -> Double { 0.90 * 0.70 * pa + 0.05 * 0.01 * (1 - pa) }

    /// The burglary network's posterior by hand: p(b, e, j, m) = P(b) P(e) Σ_a P(a | b, e) P(j | a) P(m | a).
    static let joint: [[Double]] = [
        [0.999 * 0.998 * evidence(alarm: 0.001), 0.999 * 0.002 * evidence(alarm: 0.29)],
        [0.001 * 0.998 * evidence(alarm: 0.94), 0.001 * 0.002 * evidence(alarm: 0.95)],
    ]
    static let z = joint[0][0] + joint[0][1] + joint[1][0] + joint[1][1]
    /// P(alarm = 1, j, m) = Σ_{b,e} P(b) P(e) P(a=1 | b, e) · 0.63.
    static let alarmJoint = 0.63 * (0.999 * 0.998 * 0.001 + 0.999 * 0.002 * 0.29 + 0.001 * 0.998 * 0.94 + 0.001 * 0.002 * 0.95)

    @Test func burglaryPosteriorIsExact() throws {
        let result = try Enumerate().run(SMCStepModel(BurglaryProgram()))
        #expect(result.posterior.draws[0][0].count == 8)
        #expect(abs(result.logEvidence - log(Self.z)) < 1e-12)
        let burglary = try #require(result.marginal(of: "burglary"))
        #expect(abs(burglary[1].probability - (Self.joint[1][0] + Self.joint[1][1]) / Self.z) < 1e-12)
        #expect(abs(burglary[1].probability - 0.284_171_835) < 1e-9)   // AIMA's 0.284, to the digits it quotes
        let earthquake = try #require(result.mean(of: "earthquake"))
        #expect(abs(earthquake - (Self.joint[0][1] + Self.joint[1][1]) / Self.z) < 1e-12)
        let alarm = try #require(result.mean(of: "alarm"))
        #expect(abs(alarm - Self.alarmJoint / Self.z) < 1e-12)
        let weights = try #require(result.posterior.logWeights?[0])
        #expect(abs(LogWeights.logSumExp(weights)) < 1e-12)
    }

    /// Negative control: one wrong table entry (P(a | b, ¬e) = 0.49 instead of 0.94) fails the same check.
    @Test func perturbedNetworkIsRejected() throws {
        var program = BurglaryProgram()
        program.alarmGivenBurglaryEarthquake[1][0] = 0.49
        let result = try Enumerate().run(SMCStepModel(program))
        let burglary = try #require(result.marginal(of: "burglary"))
        #expect(abs(burglary[1].probability - (Self.joint[1][0] + Self.joint[1][1]) / Self.z) > 1e-3)
    }

    @Test func continuousChoiceIsNamed() {
        #expect {
            try Enumerate().run(SMCStepModel(CoinProgram()))
        } throws: { error in
            guard let error = error as? ModelError else { return false }
            return error.address == "p" && error.description.contains("'p'") && error.location == "test.ppl:1:1"
        }
    }

    @Test func tooManyAssignmentsIsAnError() {
        #expect(throws: ModelError.self) { try Enumerate(maximumAssignments: 4).run(SMCStepModel(BurglaryProgram())) }
    }

    @Test func mixedDiscreteContinuousModelNamesTheContinuousChoice() throws {
        // k is discrete but mu is not, so the branching model cannot be enumerated: the error names mu.
        #expect { try Enumerate().run(SMCStepModel(BranchingProgram())) } throws: { ($0 as? ModelError)?.address == "mu" }
    }
}
