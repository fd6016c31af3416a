/// Comparisons aggregated per pair of items (and venue) in compressed sparse rows, the solvers' storage.
///
/// Row `i` lists every group of games `i` took part in: the opponent, the
/// games `i` won, lost and tied, and the venue seen from `i`. Each group
/// appears in both players' rows, so a sweep over row `i` touches only `i`'s
/// games: O(items + distinct pairs) memory and work per sweep, which keeps
/// 10^4 items and 10^6 comparisons routine.
public struct ComparisonGraph: Sendable {
    /// How plain Bradley-Terry (no tie parameter) treats a drawn game.
    public enum TieHandling: String, Sendable, CaseIterable {
        /// A draw counts as half a win for each side (the usual convention).
        case half
        /// Draws are left out.
        case drop
        /// Draws are their own outcome, modelled by Davidson's tie parameter.
        case davidson
    }

    public let itemCount: Int
    /// rowStart[i]..<rowStart[i+1] indexes row i's entries.
    public let rowStart: [Int]
    public let opponent: [Int32]
    /// Games the row's item won against the opponent (draws as half a win under `.half`).
    public let wins: [Double]
    /// Games the row's item lost to the opponent.
    public let losses: [Double]
    /// Draws (only under `.davidson`, else 0).
    public let ties: [Double]
    /// +1: row's item at home, -1: opponent at home, 0: neutral (always 0 when venues are ignored).
    public let homeSign: [Int8]
    public let modelsTies: Bool
    public let modelsHome: Bool

    public var entryCount: Int { opponent.count }

    public init(_ data: ComparisonData, ties tieHandling: TieHandling = .half, home useHome: Bool = false) {
        let n = data.itemCount
        itemCount = n
        modelsTies = tieHandling == .davidson
        modelsHome = useHome
        // Aggregate by (lower item, higher item, venue seen from the lower item). Comparisons are
        // bucketed by their lower item (a counting sort), then each bucket is merged through a
        // marker per (higher item, venue): sequential passes instead of a hash table's cache misses.
        struct Group { var lo: Int32; var hi: Int32; var venue: Int8; var loWins = 0.0; var hiWins = 0.0; var ties = 0.0 }
        let comparisons = data.comparisons
        var bucketStart = [Int](repeating: 0, count: n + 1)
        for c in comparisons { bucketStart[min(c.first, c.second) + 1] += 1 }
        for i in 0..<n { bucketStart[i + 1] += bucketStart[i] }
        var fill = bucketStart
        var order = [Int32](repeating: 0, count: comparisons.count)
        for (k, c) in comparisons.enumerated() {
            let lo = min(c.first, c.second)
            order[fill[lo]] = Int32(k)
            fill[lo] += 1
        }
        var markerOwner = [Int32](repeating: -1, count: 3 * n)
        var markerGroup = [Int32](repeating: 0, count: 3 * n)
        var groups: [Group] = []
        for lo in 0..<n {
            for position in bucketStart[lo]..<bucketStart[lo + 1] {
                let c = comparisons[Int(order[position])]
                if c.outcome == .tie && tieHandling == .drop { continue }
                let swap = c.first > c.second
                let hi = swap ? c.first : c.second
                var venue: Int8 = 0
                if useHome {
                    switch c.venue {
                    case .neutral: venue = 0
                    case .firstAtHome: venue = swap ? -1 : 1
                    case .secondAtHome: venue = swap ? 1 : -1
                    }
                }
                let marker = 3 * hi + Int(venue + 1)
                if markerOwner[marker] != Int32(lo) {
                    markerOwner[marker] = Int32(lo)
                    markerGroup[marker] = Int32(groups.count)
                    groups.append(Group(lo: Int32(lo), hi: Int32(hi), venue: venue))
                }
                let g = Int(markerGroup[marker])
                switch c.outcome {
                case .firstWins: if swap { groups[g].hiWins += c.count } else { groups[g].loWins += c.count }
                case .secondWins: if swap { groups[g].loWins += c.count } else { groups[g].hiWins += c.count }
                case .tie:
                    if tieHandling == .davidson { groups[g].ties += c.count } else {
                        groups[g].loWins += 0.5 * c.count
                        groups[g].hiWins += 0.5 * c.count
                    }
                }
            }
        }
        var degree = Array(repeating: 0, count: n + 1)
        for g in groups { degree[Int(g.lo) + 1] += 1; degree[Int(g.hi) + 1] += 1 }
        for i in 0..<n { degree[i + 1] += degree[i] }
        rowStart = degree
        var next = Array(degree.dropLast())
        let m = 2 * groups.count
        var opponent = Array(repeating: Int32(0), count: m)
        var wins = Array(repeating: 0.0, count: m), losses = wins, ties = wins
        var homeSign = Array(repeating: Int8(0), count: m)
        for g in groups {
            let a = next[Int(g.lo)]; next[Int(g.lo)] += 1
            opponent[a] = g.hi; wins[a] = g.loWins; losses[a] = g.hiWins; ties[a] = g.ties; homeSign[a] = g.venue
            let b = next[Int(g.hi)]; next[Int(g.hi)] += 1
            opponent[b] = g.lo; wins[b] = g.hiWins; losses[b] = g.loWins; ties[b] = g.ties; homeSign[b] = -g.venue
        }
        self.opponent = opponent
        self.wins = wins
        self.losses = losses
        self.ties = ties
        self.homeSign = homeSign
    }

    /// Total score per item: wins plus half the draws (Davidson) — what the likelihood equations balance.
    public func scores() -> [Double] {
        (0..<itemCount).map { i in
            var s = 0.0
            for e in rowStart[i]..<rowStart[i + 1] { s += wins[e] + 0.5 * ties[e] }
            return s
        }
    }

    /// The strongly connected components of the win graph (an edge j -> i when i beat or drew with j).
    public func stronglyConnectedComponents() -> StronglyConnectedComponents {
        var start = [0]
        start.reserveCapacity(itemCount + 1)
        var targets: [Int32] = []
        targets.reserveCapacity(entryCount)
        for i in 0..<itemCount {
            for e in rowStart[i]..<rowStart[i + 1] where losses[e] > 0 || ties[e] > 0 { targets.append(opponent[e]) }
            start.append(targets.count)
        }
        return StronglyConnectedComponents(itemCount: itemCount, start: start, targets: targets)
    }
}
