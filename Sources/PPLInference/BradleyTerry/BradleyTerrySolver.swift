import Foundation

/// Options for a point estimate of Bradley-Terry strengths; the defaults give Newman's in-place MLE.
public struct BradleyTerryOptions: Sendable, Equatable {
    /// Which fixed-point iteration.
    public enum Method: String, Sendable, CaseIterable {
        /// Newman (2023) Eq. 12: pi_i <- [sum_j w_ij pi_j/(pi_i+pi_j)] / [sum_j w_ji/(pi_i+pi_j)].
        case newman
        /// Zermelo (1929) / Hunter's MM (2004): pi_i <- W_i / sum_j n_ij/(pi_i+pi_j).
        case zermelo
    }

    /// Whether each item's update sees the items already updated in this sweep.
    public enum Update: String, Sendable {
        /// Gauss-Seidel: one item at a time, in place (what Newman recommends).
        case inPlace
        /// Jacobi: all items from the previous sweep at once.
        case simultaneous
    }

    /// The prior on log-strengths, if any (MAP instead of MLE).
    public enum Prior: String, Sendable {
        case none
        /// Newman (2023) Eq. 26: the logistic density e^s/(1+e^s)^2 on each log-strength s,
        /// the same as one fictitious win and one fictitious loss against a player of strength 1.
        case newman
    }

    public var method: Method = .newman
    public var update: Update = .inPlace
    public var prior: Prior = .none
    public var ties: ComparisonGraph.TieHandling = .half
    /// Fit a home-advantage factor theta multiplying the home side's strength (Agresti 1990, sec. 10.1).
    public var homeAdvantage = false
    /// Stop when the largest change of any log-parameter over one sweep is below this.
    public var tolerance = 1e-12
    public var maxIterations = 100_000
    /// Halve the step (in log space) when the change stops falling, so an oscillating iteration settles.
    public var dampOscillation = true
    /// MAP: after each sweep, move all log-strengths by the common shift that maximises the posterior.
    public var scaleStep = true

    public init(method: Method = .newman, update: Update = .inPlace, prior: Prior = .none,
                ties: ComparisonGraph.TieHandling = .half, homeAdvantage: Bool = false,
                tolerance: Double = 1e-12, maxIterations: Int = 100_000, dampOscillation: Bool = true,
                scaleStep: Bool = true) {
        self.method = method
        self.update = update
        self.prior = prior
        self.ties = ties
        self.homeAdvantage = homeAdvantage
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.dampOscillation = dampOscillation
        self.scaleStep = scaleStep
    }
}

/// A Bradley-Terry point estimate: centred log-strengths and what it took to get them.
public struct BradleyTerryFit: Sendable {
    public var options: BradleyTerryOptions
    /// Log-strengths s_i = log pi_i, centred to mean 0 (the scores users see).
    public var scores: [Double]
    /// Log-strengths in the solver's own gauge (geometric mean 1 for MLE; fixed by the prior for MAP).
    public var logStrengths: [Double]
    /// Davidson's tie parameter nu, when ties are modelled.
    public var tieParameter: Double?
    /// Home-advantage factor theta, when fitted.
    public var homeAdvantage: Double?
    /// Sweeps performed.
    public var iterations: Int
    public var converged: Bool
    /// Largest change of a log-parameter over the last sweep.
    public var finalChange: Double
    /// The smallest damping factor used (1 = undamped).
    public var damping: Double
    public var logLikelihood: Double
    /// log prior (up to its constant, which is 0 for the logistic density) or nil for MLE.
    public var logPrior: Double?
    public var seconds: Double
}

/// Bradley-Terry point estimates by Newman's or Zermelo's iteration over a `ComparisonGraph`.
///
/// With pi_i = exp(s_i) and P(i beats j) = pi_i/(pi_i+pi_j), Newman's update is
/// pi_i <- [sum_j w_ij pi_j/(pi_i+pi_j)] / [sum_j w_ji/(pi_i+pi_j)] and Zermelo's is
/// pi_i <- [sum_j w_ij] / [sum_j (w_ij+w_ji)/(pi_i+pi_j)]; both have the MLE as fixed point.
/// Newman, JMLR 24(238) 2023; Zermelo, Math. Z. 29 (1929); Hunter, Ann. Statist. 32 (2004).
///
/// Ties (Davidson 1970) and home advantage generalise both by one identity: for a game g of
/// item i with effective strengths x = h_i pi_i, y = h_j pi_j, D = x + y + nu sqrt(xy), the
/// expected score of i is q = (x + nu sqrt(xy)/2)/D = pi_i a_g, and the likelihood equation is
/// sum_g o_g = sum_g q_g (o_g = 1, 0, 1/2 for win, loss, draw). Newman's form moves the o_g q_g
/// part across: pi_i <- sum_g o_g (1-q_g) / sum_g (1-o_g) a_g; Zermelo's divides directly:
/// pi_i <- sum_g o_g / sum_g a_g. nu and theta get the same two forms from their own equations.
/// Newman's Eq. 26 prior adds one win and one loss against a neutral unit-strength player.
public enum BradleyTerry {
    /// Fits `data`; without a prior the win graph must be strongly connected, else `notStronglyConnected`.
    public static func fit(_ data: ComparisonData, options: BradleyTerryOptions = BradleyTerryOptions()) throws(BradleyTerryError) -> BradleyTerryFit {
        let graph = ComparisonGraph(data, ties: options.ties, home: options.homeAdvantage)
        return try fit(graph, options: options, itemNames: data.itemNames)
    }

    public static func fit(_ graph: ComparisonGraph, options: BradleyTerryOptions = BradleyTerryOptions(),
                           itemNames: [String]? = nil) throws(BradleyTerryError) -> BradleyTerryFit {
        try fit(graph, options: options, itemNames: itemNames, knownConnected: false)
    }

    /// `knownConnected`: the caller has already checked that the win graph is strongly connected.
    static func fit(_ graph: ComparisonGraph, options: BradleyTerryOptions, itemNames: [String]?,
                    knownConnected: Bool) throws(BradleyTerryError) -> BradleyTerryFit {
        guard graph.itemCount > 0 else { throw .empty }
        if options.prior == .none && !knownConnected {
            let components = graph.stronglyConnectedComponents()
            if components.count > 1 {
                throw components.notConnectedError(itemNames: itemNames)
            }
        }
        var solver = Solver(graph: graph, options: options)
        let start = Date()
        solver.run()
        let seconds = Date().timeIntervalSince(start)
        let logStrengths = solver.pi.map { Foundation.log($0) }
        guard logStrengths.allSatisfy({ $0.isFinite }) else {
            throw .numerical("\(options.method.rawValue): a strength reached 0 or infinity; the data do not pin it down")
        }
        let mean = logStrengths.reduce(0, +) / Double(logStrengths.count)
        let logLikelihood = solver.logLikelihood()
        return BradleyTerryFit(
            options: options, scores: logStrengths.map { $0 - mean }, logStrengths: logStrengths,
            tieParameter: graph.modelsTies ? solver.nu : nil, homeAdvantage: graph.modelsHome ? solver.theta : nil,
            iterations: solver.iterations, converged: solver.converged, finalChange: solver.change,
            damping: solver.minimumDamping, logLikelihood: logLikelihood,
            logPrior: options.prior == .newman ? logStrengths.reduce(0) { $0 + $1 - 2 * log1p(exp($1)) } : nil,
            seconds: seconds)
    }

    /// log L for given strengths, tie parameter and home factor (Davidson / home-advantage BT).
    public static func logLikelihood(_ graph: ComparisonGraph, strengths pi: [Double], tieParameter nu: Double = 0,
                                     homeAdvantage theta: Double = 1) -> Double {
        var total = 0.0
        for i in 0..<graph.itemCount {
            for e in graph.rowStart[i]..<graph.rowStart[i + 1] {
                let j = Int(graph.opponent[e])
                guard j > i else { continue }
                let x = pi[i] * (graph.homeSign[e] == 1 ? theta : 1)
                let y = pi[j] * (graph.homeSign[e] == -1 ? theta : 1)
                let r = graph.modelsTies ? (x * y).squareRoot() : 0
                let logD = log(x + y + nu * r)
                if graph.wins[e] > 0 { total += graph.wins[e] * (log(x) - logD) }
                if graph.losses[e] > 0 { total += graph.losses[e] * (log(y) - logD) }
                if graph.ties[e] > 0 { total += graph.ties[e] * (log(nu * r) - logD) }
            }
        }
        return total
    }
}

/// The iteration's state; one value per run, no sharing.
private struct Solver {
    let graph: ComparisonGraph
    let options: BradleyTerryOptions
    var pi: [Double]
    var nu: Double
    var theta: Double
    var iterations = 0
    var converged = false
    var change = Double.infinity
    var damping = 1.0
    var minimumDamping = 1.0
    /// Score (wins + draws/2) per item, for Zermelo's numerator.
    let itemScore: [Double]
    let totalTies: Double
    let homeScore: Double

    init(graph: ComparisonGraph, options: BradleyTerryOptions) {
        self.graph = graph
        self.options = options
        pi = Array(repeating: 1, count: graph.itemCount)
        itemScore = graph.scores()
        var ties = 0.0, home = 0.0
        for i in 0..<graph.itemCount {
            for e in graph.rowStart[i]..<graph.rowStart[i + 1] {
                if Int(graph.opponent[e]) > i { ties += graph.ties[e] }
                if graph.homeSign[e] == 1 { home += graph.wins[e] + 0.5 * graph.ties[e] }
            }
        }
        totalTies = ties
        homeScore = home
        nu = graph.modelsTies ? max(ties, 0.5) / max(1, Self.totalGames(graph)) * 2 : 0
        theta = 1
    }

    static func totalGames(_ g: ComparisonGraph) -> Double {
        var t = 0.0
        for e in 0..<g.entryCount { t += g.wins[e] + g.losses[e] + g.ties[e] }
        return t / 2
    }

    var isPlain: Bool { !graph.modelsTies && !graph.modelsHome }

    mutating func run() {
        let n = graph.itemCount
        var logPrevious = Array(repeating: 0.0, count: n)
        var scratch = Array(repeating: 1.0, count: n)
        var bestChange = Double.infinity
        var sweepsSinceBest = 0
        var previousNu = log(max(nu, .leastNormalMagnitude)), previousTheta = 0.0
        while iterations < options.maxIterations {
            iterations += 1
            if isPlain { plainSweep(&scratch) } else { generalSweep(&scratch) }
            if graph.modelsTies { nu = updatedNu() }
            if graph.modelsHome { theta = updatedTheta() }
            // MLE: fix the gauge (geometric mean 1); MAP: the prior fixes it already.
            var maxChange = 0.0
            var logMean = 0.0
            for i in 0..<n { let l = log(pi[i]); scratch[i] = l; logMean += l }
            logMean = options.prior == .none ? logMean / Double(n) : -optimalShift(scratch)
            let shift = exp(-logMean)
            for i in 0..<n {
                let l = scratch[i] - logMean
                maxChange = max(maxChange, abs(l - logPrevious[i]))
                logPrevious[i] = l
                pi[i] *= shift
            }
            if graph.modelsTies { let l = log(nu); maxChange = max(maxChange, abs(l - previousNu)); previousNu = l }
            if graph.modelsHome { let l = log(theta); maxChange = max(maxChange, abs(l - previousTheta)); previousTheta = l }
            if !maxChange.isFinite { change = maxChange; return }
            change = maxChange
            if change < options.tolerance { converged = true; return }
            if options.dampOscillation {
                if change < bestChange { bestChange = change; sweepsSinceBest = 0 } else {
                    sweepsSinceBest += 1
                    if sweepsSinceBest >= 20 && damping > 1.0 / 64 {
                        damping *= 0.5
                        minimumDamping = min(minimumDamping, damping)
                        sweepsSinceBest = 0
                    }
                }
            }
        }
    }

    /// MAP only: the common shift c of all log-strengths that maximises the log posterior.
    ///
    /// The likelihood does not change under s -> s + c, so only the prior sum_i [s_i - 2 log(1 + e^(s_i))]
    /// does: its derivative sum_i (1 - 2 sigma(s_i + c)) is decreasing in c, and Newton's method finds
    /// the root in a few steps. Taking this exact step after each sweep removes the slow mode in which
    /// the iteration drifts the overall scale (pinned only by the prior's two games per item).
    func optimalShift(_ logStrengths: [Double]) -> Double {
        guard options.scaleStep else { return 0 }
        var c = 0.0
        for _ in 0..<50 {
            var gradient = 0.0, curvature = 0.0
            for l in logStrengths {
                let sigma = 1 / (1 + exp(-(l + c)))
                gradient += 1 - 2 * sigma
                curvature += 2 * sigma * (1 - sigma)
            }
            let step = gradient / curvature
            c += step
            if abs(step) < 1e-15 { break }
        }
        return c.isFinite ? c : 0
    }

    /// One sweep of the plain model (no tie parameter, no home factor): the benchmark path.
    mutating func plainSweep(_ next: inout [Double]) {
        let n = graph.itemCount
        let newman = options.method == .newman
        let prior = options.prior == .newman
        let inPlace = options.update == .inPlace
        let alpha = damping
        graph.rowStart.withUnsafeBufferPointer { rowStart in
        graph.opponent.withUnsafeBufferPointer { opponent in
        graph.wins.withUnsafeBufferPointer { wins in
        graph.losses.withUnsafeBufferPointer { losses in
        itemScore.withUnsafeBufferPointer { score in
        pi.withUnsafeMutableBufferPointer { pi in
        next.withUnsafeMutableBufferPointer { next in
            for i in 0..<n {
                let pii = pi[i]
                var numerator = 0.0, denominator = 0.0
                if newman {
                    for e in rowStart[i]..<rowStart[i + 1] {
                        let pj = pi[Int(opponent[e])]
                        let inverse = 1 / (pii + pj)
                        numerator += wins[e] * pj * inverse
                        denominator += losses[e] * inverse
                    }
                } else {
                    numerator = score[i]
                    for e in rowStart[i]..<rowStart[i + 1] {
                        denominator += (wins[e] + losses[e]) / (pii + pi[Int(opponent[e])])
                    }
                }
                if prior {
                    let inverse = 1 / (pii + 1)
                    if newman { numerator += inverse; denominator += inverse } else { numerator += 1; denominator += 2 * inverse }
                }
                var updated = numerator / denominator
                if alpha != 1 { updated = pii * Foundation.pow(updated / pii, alpha) }
                if inPlace { pi[i] = updated } else { next[i] = updated }
            }
            if !inPlace { for i in 0..<n { pi[i] = next[i] } }
        }}}}}}}
    }

    /// One sweep with Davidson ties and/or a home factor (see BradleyTerry's doc comment for the algebra).
    mutating func generalSweep(_ next: inout [Double]) {
        let n = graph.itemCount
        let newman = options.method == .newman
        let prior = options.prior == .newman
        let inPlace = options.update == .inPlace
        let alpha = damping
        let nu = self.nu, theta = self.theta, modelsTies = graph.modelsTies
        for i in 0..<n {
            let pii = pi[i]
            var numerator = 0.0, denominator = 0.0
            for e in graph.rowStart[i]..<graph.rowStart[i + 1] {
                let pj = pi[Int(graph.opponent[e])]
                let x = graph.homeSign[e] == 1 ? theta * pii : pii
                let y = graph.homeSign[e] == -1 ? theta * pj : pj
                let halfTie = modelsTies ? 0.5 * nu * (x * y).squareRoot() : 0
                let d = x + y + 2 * halfTie
                let expected = (x + halfTie) / d
                let perStrength = expected / pii
                let t = 0.5 * graph.ties[e]
                if newman {
                    numerator += (graph.wins[e] + t) * (1 - expected)
                    denominator += (graph.losses[e] + t) * perStrength
                } else {
                    denominator += (graph.wins[e] + graph.losses[e] + graph.ties[e]) * perStrength
                }
            }
            if !newman { numerator = itemScore[i] }
            if prior {
                let inverse = 1 / (pii + 1)
                if newman { numerator += inverse; denominator += inverse } else { numerator += 1; denominator += 2 * inverse }
            }
            var updated = numerator / denominator
            if alpha != 1 { updated = pii * Foundation.pow(updated / pii, alpha) }
            if inPlace { pi[i] = updated } else { next[i] = updated }
        }
        if !inPlace { pi = Array(next[0..<n]) }
    }

    /// nu from its likelihood equation T = sum_g n_g P_g(tie), in Newman's or Zermelo's form.
    func updatedNu() -> Double {
        guard totalTies > 0 else { return 0 }
        var numerator = 0.0, denominator = 0.0
        for i in 0..<graph.itemCount {
            for e in graph.rowStart[i]..<graph.rowStart[i + 1] where Int(graph.opponent[e]) > i {
                let pj = pi[Int(graph.opponent[e])]
                let x = graph.homeSign[e] == 1 ? theta * pi[i] : pi[i]
                let y = graph.homeSign[e] == -1 ? theta * pj : pj
                let r = (x * y).squareRoot()
                let d = x + y + nu * r
                let games = graph.wins[e] + graph.losses[e] + graph.ties[e]
                if options.method == .newman {
                    numerator += graph.ties[e] * (x + y) / d
                    denominator += (games - graph.ties[e]) * r / d
                } else {
                    denominator += games * r / d
                }
            }
        }
        if options.method == .zermelo { numerator = totalTies }
        return numerator / denominator
    }

    /// theta from the home side's likelihood equation, in Newman's or Zermelo's form.
    func updatedTheta() -> Double {
        var numerator = 0.0, denominator = 0.0
        for i in 0..<graph.itemCount {
            for e in graph.rowStart[i]..<graph.rowStart[i + 1] where graph.homeSign[e] == 1 {
                let x = theta * pi[i], y = pi[Int(graph.opponent[e])]
                let halfTie = graph.modelsTies ? 0.5 * nu * (x * y).squareRoot() : 0
                let d = x + y + 2 * halfTie
                let expected = (x + halfTie) / d
                let perTheta = expected / theta
                let t = 0.5 * graph.ties[e]
                if options.method == .newman {
                    numerator += (graph.wins[e] + t) * (1 - expected)
                    denominator += (graph.losses[e] + t) * perTheta
                } else {
                    denominator += (graph.wins[e] + graph.losses[e] + graph.ties[e]) * perTheta
                }
            }
        }
        if options.method == .zermelo { numerator = homeScore }
        guard numerator > 0, denominator > 0 else { return theta }
        return numerator / denominator
    }

    func logLikelihood() -> Double {
        BradleyTerry.logLikelihood(graph, strengths: pi, tieParameter: nu, homeAdvantage: theta)
    }
}
