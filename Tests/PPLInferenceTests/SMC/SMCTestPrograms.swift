import Foundation
import PPLDistributions
import PPLInference

/// Pearl's burglary network (Russell & Norvig, AIMA 3rd ed., fig. 14.2) with John and Mary both calling.
struct BurglaryProgram: StepProgram {
    /// P(alarm | burglary, earthquake); the control model perturbs one entry.
    var alarmGivenBurglaryEarthquake: [[Double]] = [[0.001, 0.29], [0.94, 0.95]]
    var start: Int { 0 }
    var isStatic: Bool { true }
    var hasObservations: Bool { true }

    static func bernoulli(_ choices: inout ChoiceMaker, _ name: String, _ p: Double,
                          using rng: inout RandomStream) throws(ModelError) -> Int {
        try choices.int(Address(name), support: .booleans, values: [0, 1],
                        logDensity: { $0 == 1 ? log(p) : log1p(-p) },
                        draw: { stepBernoulliDraw(&$0, p) }, using: &rng)
    }

    func step(_ phase: inout Int, _ choices: inout ChoiceMaker, using rng: inout RandomStream) throws(ModelError) -> StepEnd {
        defer { phase += 1 }
        switch phase {
        case 0:
            let burglary = try Self.bernoulli(&choices, "burglary", 0.001, using: &rng)
            let earthquake = try Self.bernoulli(&choices, "earthquake", 0.002, using: &rng)
            let alarm = try Self.bernoulli(&choices, "alarm", alarmGivenBurglaryEarthquake[burglary][earthquake], using: &rng)
            choices.observe("johnCalls", .int(1), logDensity: log(alarm == 1 ? 0.90 : 0.05))
            choices.observe("maryCalls", .int(1), logDensity: log(alarm == 1 ? 0.70 : 0.01))
            return .observed(location: "burglary.ppl:6:3")
        default:
            return .finished(returnValue: nil)
        }
    }
}

func stepBernoulliDraw(_ rng: inout RandomStream, _ p: Double) -> Int { rng.uniform() < p ? 1 : 0 }

/// The coin of DESIGN.md: p ~ Beta(1, 1), flips[i] ~ Bernoulli(p), one observation per step.
struct CoinProgram: StepProgram {
    var flips: [Int] = [1, 0, 1, 1, 0, 1, 1, 1]
    /// When true, p is drawn from Beta(2, 1) while scored as Beta(1, 1): a wrong model for negative controls.
    var wrongPrior = false
    var start: (index: Int, p: Double) { (0, .nan) }
    var isStatic: Bool { true }
    var hasObservations: Bool { !flips.isEmpty }
    static let flipAddresses = (0..<64).map { Address("flips").appending(index: $0) }

    func step(_ state: inout (index: Int, p: Double), _ choices: inout ChoiceMaker, using rng: inout RandomStream) throws(ModelError) -> StepEnd {
        if state.index == 0 {
            let wrongPrior = self.wrongPrior
            state.p = try choices.real("p", support: .unitInterval,
                                       logDensity: { $0 > 0 && $0 < 1 ? 0 : -.infinity },
                                       draw: { wrongPrior ? $0.uniformPositive().squareRoot() : $0.uniformPositive() },
                                       using: &rng)
        }
        guard state.index < flips.count else { return .finished(returnValue: .real(state.p)) }
        let flip = flips[state.index]
        choices.observe(Self.flipAddresses[state.index], .int(flip), logDensity: flip == 1 ? log(state.p) : log1p(-state.p))
        state.index += 1
        return .observed(location: "coin.ppl:5:5")
    }
}

/// x_0 ~ N(0, 1); x_t = phi x_{t-1} + N(0, sigmaX²); y_t = x_t + N(0, sigmaY²), one y per step.
struct LinearGaussianProgram: StepProgram {
    var ys: [Double]
    var phi = 0.9, sigmaX = 1.0, sigmaY = 0.5
    let addresses: [Address]

    init(ys: [Double]) {
        self.ys = ys
        addresses = (0...ys.count).map { Address("x").appending(index: $0) }
    }

    var start: (t: Int, x: Double) { (0, 0) }
    var isStatic: Bool { true }
    var hasObservations: Bool { !ys.isEmpty }

    func step(_ state: inout (t: Int, x: Double), _ choices: inout ChoiceMaker, using rng: inout RandomStream) throws(ModelError) -> StepEnd {
        if state.t == 0 {
            state.x = try choices.real(addresses[0], logDensity: { stepNormalLogDensity($0, 0, 1) },
                                       draw: { $0.standardNormal() }, using: &rng)
        }
        guard state.t < ys.count else { return .finished(returnValue: .real(state.x)) }
        let mean = phi * state.x, sigmaX = self.sigmaX
        state.x = try choices.real(addresses[state.t + 1], logDensity: { stepNormalLogDensity($0, mean, sigmaX) },
                                   draw: { mean + sigmaX * $0.standardNormal() }, using: &rng)
        choices.observe("y", .real(ys[state.t]), logDensity: stepNormalLogDensity(ys[state.t], state.x, sigmaY))
        state.t += 1
        return .observed(location: "ssm.ppl:7:5")
    }
}

/// mu ~ N(0, priorSD²); y_i ~ N(mu, 1): a static model whose diffuse prior starves bootstrap SMC.
struct NormalMeanProgram: StepProgram {
    var ys: [Double]
    var priorSD: Double
    var start: (i: Int, mu: Double) { (0, .nan) }
    var isStatic: Bool { true }
    var hasObservations: Bool { !ys.isEmpty }

    func step(_ state: inout (i: Int, mu: Double), _ choices: inout ChoiceMaker, using rng: inout RandomStream) throws(ModelError) -> StepEnd {
        if state.i == 0 {
            let priorSD = self.priorSD
            state.mu = try choices.real("mu", logDensity: { stepNormalLogDensity($0, 0, priorSD) },
                                        draw: { priorSD * $0.standardNormal() }, using: &rng)
        }
        guard state.i < ys.count else { return .finished(returnValue: .real(state.mu)) }
        choices.observe("y", .real(ys[state.i]), logDensity: stepNormalLogDensity(ys[state.i], state.mu, 1))
        state.i += 1
        return .observed(location: "normal.ppl:4:5")
    }

    /// log p(y) = log N(y; 0, I + priorSD² 11ᵀ), by the matrix determinant lemma and Sherman-Morrison.
    var exactLogEvidence: Double {
        let n = Double(ys.count), tau2 = priorSD * priorSD
        let sum = ys.reduce(0, +), sumOfSquares = ys.reduce(0) { $0 + $1 * $1 }
        let logDeterminant = log1p(n * tau2)
        let quadratic = sumOfSquares - tau2 * sum * sum / (1 + n * tau2)
        return -0.5 * (n * log(2 * Double.pi) + logDeterminant + quadratic)
    }

    /// E[mu | y] = τ² Σy / (1 + n τ²).
    var exactPosteriorMean: Double {
        let tau2 = priorSD * priorSD
        return tau2 * ys.reduce(0, +) / (1 + Double(ys.count) * tau2)
    }
}

/// A program with stochastic control flow: k ~ Bernoulli(0.5) decides whether it sees 1 or 3 observations.
struct BranchingProgram: StepProgram {
    var start: (seen: Int, k: Int, mu: Double) { (0, -1, .nan) }
    var isStatic: Bool { false }
    var hasObservations: Bool { true }
    static let ys = [0.8, 1.1, 0.9]

    func step(_ state: inout (seen: Int, k: Int, mu: Double), _ choices: inout ChoiceMaker, using rng: inout RandomStream) throws(ModelError) -> StepEnd {
        if state.k < 0 {
            state.k = try choices.int("k", support: .booleans, values: [0, 1], logDensity: { _ in log(0.5) },
                                      draw: { $0.uniform() < 0.5 ? 1 : 0 }, using: &rng)
            state.mu = try choices.real("mu", logDensity: { stepNormalLogDensity($0, 0, 1) },
                                        draw: { $0.standardNormal() }, using: &rng)
        }
        let count = state.k == 1 ? 3 : 1
        guard state.seen < count else { return .finished(returnValue: .int(state.k)) }
        choices.observe("y", .real(Self.ys[state.seen]), logDensity: stepNormalLogDensity(Self.ys[state.seen], state.mu, 1))
        state.seen += 1
        return .observed(location: "branch.ppl:5:7")
    }

    /// p(y) = ½ N(y₀; 0, 2) + ½ N(y₀..y₂; 0, I + 11ᵀ), and P(k = 1 | y).
    static var exact: (logEvidence: Double, probabilityK1: Double) {
        func marginal(_ ys: [Double]) -> Double {
            let n = Double(ys.count), sum = ys.reduce(0, +), sumOfSquares = ys.reduce(0) { $0 + $1 * $1 }
            return -0.5 * (n * log(2 * Double.pi) + log1p(n) + sumOfSquares - sum * sum / (1 + n))
        }
        let one = log(0.5) + marginal([ys[0]]), three = log(0.5) + marginal(ys)
        let logEvidence = LogWeights.logSumExp([one, three])
        return (logEvidence, exp(three - logEvidence))
    }
}

/// A program whose single observation is impossible: every particle ends at zero weight.
struct ImpossibleProgram: StepProgram {
    var start: Int { 0 }
    var isStatic: Bool { true }
    var hasObservations: Bool { true }
    func step(_ phase: inout Int, _ choices: inout ChoiceMaker, using rng: inout RandomStream) throws(ModelError) -> StepEnd {
        defer { phase += 1 }
        if phase == 0 {
            _ = try choices.real("u", support: .unitInterval, logDensity: { _ in 0 }, draw: { $0.uniformPositive() }, using: &rng)
            choices.observe("y", .real(2), logDensity: -.infinity)
            return .observed(location: "impossible.ppl:3:3")
        }
        return .finished(returnValue: nil)
    }
}

/// A prior-only program: nothing observed.
struct PriorOnlyProgram: StepProgram {
    var start: Int { 0 }
    var isStatic: Bool { true }
    var hasObservations: Bool { false }
    func step(_ phase: inout Int, _ choices: inout ChoiceMaker, using rng: inout RandomStream) throws(ModelError) -> StepEnd {
        let x = try choices.real("x", logDensity: { stepNormalLogDensity($0, 0, 1) }, draw: { $0.standardNormal() }, using: &rng)
        return .finished(returnValue: .real(x))
    }
}

func stepNormalLogDensity(_ x: Double, _ mu: Double, _ sigma: Double) -> Double {
    let z = (x - mu) / sigma
    return -0.5 * z * z - log(sigma) - 0.5 * log(2 * Double.pi)
}
