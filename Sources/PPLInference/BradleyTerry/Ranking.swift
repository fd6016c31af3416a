import Foundation

/// What `ppl rank` asks for: the method, the prior, what to do with a disconnected win graph.
public struct RankingRequest: Sendable {
    public enum Method: String, Sendable, CaseIterable { case newman, zermelo, bayes }
    /// What to do when the maximum-likelihood estimate does not exist on all items.
    public enum ComponentPolicy: String, Sendable, CaseIterable {
        /// Rank only the largest strongly connected component.
        case largest
        /// Keep every item and use Newman's prior (MAP).
        case prior
    }

    public var method: Method = .newman
    public var prior: BradleyTerryOptions.Prior = .none
    /// Gamma(shape, rate) prior on strengths for `bayes`.
    public var gammaShape = 1.0
    public var gammaRate = 1.0
    /// nil: refuse a disconnected graph and say why.
    public var component: ComponentPolicy?
    public var ties: ComparisonGraph.TieHandling = .half
    public var homeAdvantage = false
    public var tolerance = 1e-12
    public var maxIterations = 100_000
    /// nil: compute intervals when the information matrix is small enough (BradleyTerryIntervals.defaultLimit).
    public var intervals: Bool?
    public var seed: UInt64 = 1
    public var samples = 1_000
    public var warmup: Int?
    public var chains = 4

    public init() {}
}

/// One ranked item as reported.
public struct RankedItem: Sendable {
    public var rank: Int
    public var name: String
    /// Centred log-strength (posterior mean of it for `bayes`).
    public var score: Double
    public var standardError: Double?
    public var lower: Double?
    public var upper: Double?
    public var wins: Double
    public var losses: Double
    public var ties: Double
    public var expectedRank: Double?
    public var rankProbabilities: [Double]?
    public var effectiveSampleSize: Double?
    public var rHat: Double?
}

/// A finished ranking with what it took, ready to print as a table or JSON.
public struct Ranking: Sendable {
    public var method: RankingRequest.Method
    /// "mle", "map" or "posterior".
    public var estimate: String
    public var items: [RankedItem]
    public var itemCount: Int
    public var excluded: [String]
    public var componentPolicy: RankingRequest.ComponentPolicy?
    public var componentCount: Int
    public var iterations: Int?
    public var converged: Bool?
    public var finalChange: Double?
    public var tolerance: Double?
    public var logLikelihood: Double?
    public var logPrior: Double?
    public var tieParameter: Double?
    public var homeAdvantage: Double?
    public var seconds: Double
    /// Time in the iteration alone (nil for bayes).
    public var solverSeconds: Double?
    public var seed: UInt64?
    public var samples: Int?
    public var chains: Int?
    public var notes: [String]

    /// Ranks `data` as `request` says; throws when the answer would not exist or not converge.
    public static func rank(_ data: ComparisonData, _ request: RankingRequest) throws(BradleyTerryError) -> Ranking {
        guard !data.comparisons.isEmpty else { throw .empty }
        let start = Date()
        var notes: [String] = []
        var working = data
        var prior = request.prior
        var excluded: [String] = []
        let graph = ComparisonGraph(data, ties: request.ties, home: request.homeAdvantage)
        let components = graph.stronglyConnectedComponents()
        if request.method != .bayes && prior == .none && components.count > 1 {
            switch request.component {
            case .largest:
                let keep = components.largest
                let kept = Set(keep)
                excluded = (0..<data.itemCount).filter { !kept.contains($0) }.map { data.itemNames[$0] }
                working = data.restricted(to: keep)
                notes.append("the win graph has \(components.count) strongly connected components; "
                             + "ranked the largest (\(keep.count) of \(data.itemCount) items)")
            case .prior:
                prior = .newman
                notes.append("the win graph has \(components.count) strongly connected components; "
                             + "used Newman's prior (MAP) so every item can be ranked")
            case nil:
                throw components.notConnectedError(itemNames: data.itemNames)
            }
        } else if request.component == .prior && request.method != .bayes {
            prior = .newman
        }
        let workingGraph = working.itemCount == data.itemCount ? graph
            : ComparisonGraph(working, ties: request.ties, home: request.homeAdvantage)
        let record = working.record()
        var items: [RankedItem] = []
        var ranking = Ranking(method: request.method, estimate: "mle", items: [], itemCount: data.itemCount, excluded: excluded,
                              componentPolicy: request.component, componentCount: components.count, iterations: nil,
                              converged: nil, finalChange: nil, tolerance: nil, logLikelihood: nil, logPrior: nil,
                              tieParameter: nil, homeAdvantage: nil, seconds: 0, solverSeconds: nil, seed: nil, samples: nil, chains: nil, notes: notes)
        switch request.method {
        case .newman, .zermelo:
            let options = BradleyTerryOptions(method: request.method == .newman ? .newman : .zermelo, prior: prior,
                                              ties: request.ties, homeAdvantage: request.homeAdvantage,
                                              tolerance: request.tolerance, maxIterations: request.maxIterations)
            // The component step above already established strong connectivity wherever the MLE is asked for.
            let fit = try BradleyTerry.fit(workingGraph, options: options, itemNames: working.itemNames, knownConnected: true)
            guard fit.converged else {
                throw .notConverged(method: request.method.rawValue, iterations: fit.iterations, change: fit.finalChange)
            }
            let parameterCount = working.itemCount + (workingGraph.modelsTies ? 1 : 0) + (workingGraph.modelsHome ? 1 : 0)
            var intervals: BradleyTerryIntervals?
            if request.intervals ?? (parameterCount <= BradleyTerryIntervals.defaultLimit) {
                intervals = try BradleyTerryIntervals(fit: fit, graph: workingGraph)
            } else if request.intervals == nil {
                ranking.notes.append("intervals skipped: \(parameterCount) parameters exceed \(BradleyTerryIntervals.defaultLimit) "
                                     + "(the dense information matrix); pass '--intervals' to force")
            }
            for k in 0..<working.itemCount {
                let se = intervals?.standardErrors[k]
                items.append(RankedItem(rank: 0, name: working.itemNames[k], score: fit.scores[k], standardError: se,
                                        lower: se.map { fit.scores[k] - 1.959964 * $0 }, upper: se.map { fit.scores[k] + 1.959964 * $0 },
                                        wins: record[k].wins, losses: record[k].losses, ties: record[k].ties))
            }
            ranking.estimate = prior == .none ? "mle" : "map"
            ranking.iterations = fit.iterations
            ranking.solverSeconds = fit.seconds
            ranking.converged = fit.converged
            ranking.finalChange = fit.finalChange
            ranking.tolerance = request.tolerance
            ranking.logLikelihood = fit.logLikelihood
            ranking.logPrior = fit.logPrior
            ranking.tieParameter = fit.tieParameter
            ranking.homeAdvantage = fit.homeAdvantage
            if fit.damping < 1 { ranking.notes.append("the iteration oscillated and was damped (factor \(fit.damping))") }
        case .bayes:
            let sampler = BradleyTerryGibbs(shape: request.gammaShape, rate: request.gammaRate, samples: request.samples,
                                            warmup: request.warmup, chains: request.chains)
            let posterior = try sampler.sample(workingGraph, seed: request.seed)
            let summary = BradleyTerryPosteriorSummary(posterior)
            for k in 0..<working.itemCount {
                items.append(RankedItem(rank: 0, name: working.itemNames[k], score: summary.mean[k], standardError: summary.sd[k],
                                        lower: summary.lower[k], upper: summary.upper[k], wins: record[k].wins,
                                        losses: record[k].losses, ties: record[k].ties, expectedRank: summary.expectedRank[k],
                                        rankProbabilities: summary.rankProbability[k],
                                        effectiveSampleSize: summary.effectiveSampleSize[k], rHat: summary.splitRHat[k]))
            }
            ranking.estimate = "posterior"
            ranking.seed = request.seed
            ranking.samples = request.samples
            ranking.chains = request.chains
            let worstRHat = summary.splitRHat.filter { $0.isFinite }.max() ?? 1
            if worstRHat > 1.01 { ranking.notes.append("split R-hat up to \(format(worstRHat, 3)) (> 1.01): run more samples") }
        }
        items.sort { $0.score != $1.score ? $0.score > $1.score : $0.name < $1.name }
        for k in items.indices { items[k].rank = k + 1 }
        ranking.items = items
        ranking.seconds = Date().timeIntervalSince(start)
        return ranking
    }

    /// A fixed-width table: rank, name, score, 95% interval, wins, losses (and draws when any).
    public func table(top: Int? = nil) -> String {
        let shown = Array(items.prefix(top ?? items.count))
        var out = "# \(summaryLine())\n"
        for note in notes { out += "# note: \(note)\n" }
        let showTies = items.contains { $0.ties > 0 }
        let bayes = method == .bayes
        let nameWidth = max(4, shown.map { $0.name.count }.max() ?? 4)
        func pad(_ s: String, _ w: Int, left: Bool = false) -> String {
            s.count >= w ? s : (left ? s + String(repeating: " ", count: w - s.count) : String(repeating: " ", count: w - s.count) + s)
        }
        var header = pad("rank", 5) + "  " + pad("name", nameWidth, left: true) + "  " + pad("score", 8) + "  "
            + pad(bayes ? "95% credible" : "95% interval", 19) + "  " + pad("wins", 7) + "  " + pad("losses", 7)
        if showTies { header += "  " + pad("draws", 7) }
        if bayes { header += "  " + pad("P(first)", 8) + "  " + pad("E[rank]", 8) }
        out += header + "\n"
        for item in shown {
            var line = pad(String(item.rank), 5) + "  " + pad(item.name, nameWidth, left: true) + "  " + pad(format(item.score, 3), 8) + "  "
            if let lo = item.lower, let hi = item.upper {
                line += pad("[" + format(lo, 3) + ", " + format(hi, 3) + "]", 19)
            } else {
                line += pad("-", 19)
            }
            line += "  " + pad(formatCount(item.wins), 7) + "  " + pad(formatCount(item.losses), 7)
            if showTies { line += "  " + pad(formatCount(item.ties), 7) }
            if bayes {
                line += "  " + pad(format(item.rankProbabilities?.first ?? 0, 3), 8) + "  " + pad(format(item.expectedRank ?? 0, 1), 8)
            }
            out += line + "\n"
        }
        return out
    }

    func summaryLine() -> String {
        var parts: [String] = ["method \(method.rawValue) (\(estimate))"]
        parts.append(excluded.isEmpty ? "\(items.count) items"
                     : "\(items.count) of \(itemCount) items (largest strongly connected component)")
        if let iterations { parts.append("\(iterations) iterations") }
        if let logLikelihood { parts.append("log-likelihood \(format(logLikelihood, 3))") }
        if let tieParameter { parts.append("tie parameter \(format(tieParameter, 4))") }
        if let homeAdvantage { parts.append("home advantage \(format(homeAdvantage, 4))") }
        if let samples, let chains, let seed { parts.append("\(chains) chains x \(samples) draws, seed \(seed)") }
        return parts.joined(separator: ", ")
    }

    /// One JSON object: `{"method", "estimate", "iterations", "logLikelihood", ..., "items": [{"name", "score", ...}]}`.
    public func json(top: Int? = nil) -> String {
        var fields: [(String, String)] = [
            ("method", jsonString(method.rawValue)),
            ("estimate", jsonString(estimate)),
            ("iterations", iterations.map(String.init) ?? "null"),
            ("converged", converged.map { $0 ? "true" : "false" } ?? "null"),
            ("change", jsonNumber(finalChange)),
            ("tolerance", jsonNumber(tolerance)),
            ("logLikelihood", jsonNumber(logLikelihood)),
            ("logPrior", jsonNumber(logPrior)),
            ("tieParameter", jsonNumber(tieParameter)),
            ("homeAdvantage", jsonNumber(homeAdvantage)),
            ("seconds", jsonNumber(seconds)),
            ("solverSeconds", jsonNumber(solverSeconds)),
            ("seed", seed.map { String($0) } ?? "null"),
            ("samples", samples.map(String.init) ?? "null"),
            ("chains", chains.map(String.init) ?? "null"),
            ("itemCount", String(itemCount)),
            ("componentCount", String(componentCount)),
            ("component", componentPolicy.map { jsonString($0.rawValue) } ?? "null"),
            ("excluded", "[" + excluded.map(jsonString).joined(separator: ",") + "]"),
            ("notes", "[" + notes.map(jsonString).joined(separator: ",") + "]"),
        ]
        let shown = items.prefix(top ?? items.count)
        let positions = min(items.count, max(10, top ?? 10))
        let itemJSON = shown.map { item -> String in
            var f: [(String, String)] = [
                ("rank", String(item.rank)), ("name", jsonString(item.name)), ("score", jsonNumber(item.score)),
                ("se", jsonNumber(item.standardError)), ("lower", jsonNumber(item.lower)), ("upper", jsonNumber(item.upper)),
                ("wins", jsonNumber(item.wins)), ("losses", jsonNumber(item.losses)), ("ties", jsonNumber(item.ties)),
            ]
            if method == .bayes {
                f.append(("expectedRank", jsonNumber(item.expectedRank)))
                f.append(("rankProbabilities", "[" + (item.rankProbabilities ?? []).prefix(positions).map { jsonNumber($0) }
                    .joined(separator: ",") + "]"))
                f.append(("ess", jsonNumber(item.effectiveSampleSize)))
                f.append(("rhat", jsonNumber(item.rHat)))
            }
            return "{" + f.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        }
        fields.append(("items", "[" + itemJSON.joined(separator: ",") + "]"))
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }
}

func format(_ x: Double, _ digits: Int) -> String {
    guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
    return String(format: "%.\(digits)f", x)
}

func formatCount(_ x: Double) -> String {
    x == x.rounded() ? String(Int(x)) : String(format: "%.1f", x)
}

func jsonNumber(_ x: Double?) -> String {
    guard let x, x.isFinite else { return "null" }
    return "\(x)"
}

func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
