/// The comparison structure of a Bradley-Terry problem: named items and who beat whom, how often, where.
///
/// This is the hand-over point between front ends and the solvers: `ppl rank`
/// builds it from a CSV file, and the RecogniseBradleyTerry pass will build it
/// from a `.ppl` model's likelihood terms. One `Comparison` may stand for many
/// identical games through its `count`.
public struct ComparisonData: Sendable, Equatable {
    /// The result of one comparison, as seen from its `first` item.
    public enum Outcome: Sendable, Hashable {
        case firstWins, secondWins, tie
    }

    /// Where a comparison took place, as seen from its `first` item.
    public enum Venue: Sendable, Hashable {
        case neutral, firstAtHome, secondAtHome
    }

    /// One comparison (or `count` identical ones) between two distinct items.
    public struct Comparison: Sendable, Hashable {
        public var first: Int
        public var second: Int
        public var outcome: Outcome
        public var venue: Venue
        public var count: Double

        public init(first: Int, second: Int, outcome: Outcome, venue: Venue = .neutral, count: Double = 1) {
            self.first = first
            self.second = second
            self.outcome = outcome
            self.venue = venue
            self.count = count
        }

        /// `winner` beat `loser`.
        public static func win(_ winner: Int, over loser: Int, venue: Venue = .neutral, count: Double = 1) -> Comparison {
            Comparison(first: winner, second: loser, outcome: .firstWins, venue: venue, count: count)
        }
    }

    public var itemNames: [String]
    public var comparisons: [Comparison]

    /// Items are 0..<itemNames.count; every comparison must name two distinct items in range with a positive count.
    public init(itemNames: [String], comparisons: [Comparison]) throws(BradleyTerryError) {
        for (k, c) in comparisons.enumerated() {
            guard (0..<itemNames.count).contains(c.first), (0..<itemNames.count).contains(c.second) else {
                throw .invalidComparison(index: k, "item index out of range")
            }
            guard c.first != c.second else {
                throw .invalidComparison(index: k, "item '\(itemNames[c.first])' compared with itself")
            }
            guard c.count.isFinite, c.count > 0 else {
                throw .invalidComparison(index: k, "count must be positive and finite, got \(c.count)")
            }
        }
        self.itemNames = itemNames
        self.comparisons = comparisons
    }

    public var itemCount: Int { itemNames.count }
    public var hasTies: Bool { comparisons.contains { $0.outcome == .tie } }
    public var hasVenues: Bool { comparisons.contains { $0.venue != .neutral } }

    /// Wins, losses and ties per item (ties counted once for each side).
    public func record() -> [(wins: Double, losses: Double, ties: Double)] {
        var out = Array(repeating: (wins: 0.0, losses: 0.0, ties: 0.0), count: itemCount)
        for c in comparisons {
            switch c.outcome {
            case .firstWins: out[c.first].wins += c.count; out[c.second].losses += c.count
            case .secondWins: out[c.second].wins += c.count; out[c.first].losses += c.count
            case .tie: out[c.first].ties += c.count; out[c.second].ties += c.count
            }
        }
        return out
    }

    /// The sub-problem on `items` (in the order given), keeping only comparisons between them.
    public func restricted(to items: [Int]) -> ComparisonData {
        var newIndex = Array(repeating: -1, count: itemCount)
        for (k, i) in items.enumerated() { newIndex[i] = k }
        var kept: [Comparison] = []
        for var c in comparisons where newIndex[c.first] >= 0 && newIndex[c.second] >= 0 {
            c.first = newIndex[c.first]
            c.second = newIndex[c.second]
            kept.append(c)
        }
        // Safe: indices are remapped into range and stay distinct.
        return ComparisonData(unchecked: items.map { itemNames[$0] }, kept)
    }

    init(unchecked names: [String], _ comparisons: [Comparison]) {
        self.itemNames = names
        self.comparisons = comparisons
    }
}

/// What can go wrong in Bradley-Terry estimation, worded for the user.
public enum BradleyTerryError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidComparison(index: Int, String)
    case empty
    /// The maximum-likelihood estimate does not exist: the win graph has more than one strongly connected component.
    /// `others` lists the components outside the largest (a few, each by a few names).
    case notStronglyConnected(componentCount: Int, largest: Int, items: Int, others: [[String]])
    case notConverged(method: String, iterations: Int, change: Double)
    case numerical(String)

    public var description: String {
        switch self {
        case .invalidComparison(let k, let message):
            return "comparison \(k + 1): \(message)"
        case .empty:
            return "no comparisons to rank"
        case .notStronglyConnected(let count, let largest, let items, let others):
            let listed = others.map { "{" + $0.map { "'\($0)'" }.joined(separator: ", ") + "}" }.joined(separator: ", ")
            let more = count - 1 > others.count ? ", ..." : ""
            return "the maximum-likelihood estimate does not exist: the win graph is not strongly connected "
                + "(\(count) components; the largest has \(largest) of \(items) items; the others include \(listed)\(more)); "
                + "restrict to the largest component ('--component largest') or add a prior ('--prior newman')"
        case .notConverged(let method, let iterations, let change):
            return "\(method) did not converge in \(iterations) iterations (last change in log-strength \(change))"
        case .numerical(let message):
            return message
        }
    }
}
