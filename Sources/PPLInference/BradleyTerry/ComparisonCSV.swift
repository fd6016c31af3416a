/// Which CSV columns hold the winner, loser, draw flag and venue; nil means "detect by name".
public struct ComparisonColumns: Sendable, Equatable {
    public var winner: String?
    public var loser: String?
    public var tie: String?
    public var home: String?

    public init(winner: String? = nil, loser: String? = nil, tie: String? = nil, home: String? = nil) {
        self.winner = winner
        self.loser = loser
        self.tie = tie
        self.home = home
    }

    static let winnerNames = ["winner", "winner_name", "won", "win"]
    static let loserNames = ["loser", "loser_name", "lost", "lose"]
    static let tieNames = ["tie", "draw", "ties", "is_tie", "drawn"]
    static let homeNames = ["home", "venue", "is_home"]
}

/// A bad comparisons file, naming the file, line and column.
public struct ComparisonCSVError: Error, Sendable, Equatable, CustomStringConvertible {
    public var fileName: String
    public var line: Int?
    public var column: String?
    public var message: String

    public var description: String {
        var out = fileName
        if let line { out += ":\(line)" }
        out += ": error: "
        if let column { out += "column '\(column)': " }
        return out + message
    }
}

/// Comparisons read from a CSV table, with the columns that were used.
public struct ComparisonFile: Sendable {
    public var data: ComparisonData
    public var winnerColumn: String
    public var loserColumn: String
    public var tieColumn: String?
    public var homeColumn: String?
    /// Rows left out under `skipInvalidRows`, each with the reason it would otherwise have failed.
    public var skipped: [ComparisonCSVError] = []

    /// Reads one comparison per row: `winner` beat `loser` unless the tie column says 1
    /// (then the order is only the listing order); the home column says 1 when the
    /// winner-column side was at home, -1 for the loser-column side, 0 for neutral.
    /// With `skipInvalidRows`, a bad row (empty name, self-comparison, bad flag) is recorded in `skipped` instead of thrown.
    public init(_ table: CSVTable, columns: ComparisonColumns = ComparisonColumns(),
                skipInvalidRows: Bool = false) throws(ComparisonCSVError) {
        func fail(_ message: String, line: Int? = nil, column: String? = nil) -> ComparisonCSVError {
            ComparisonCSVError(fileName: table.fileName, line: line, column: column, message: message)
        }
        let available = table.header.map { "'\($0)'" }.joined(separator: ", ")
        func resolve(_ requested: String?, _ candidates: [String], role: String, flag: String, required: Bool) throws(ComparisonCSVError) -> Int? {
            if let requested {
                guard let k = table.column(named: requested) else {
                    throw fail("no such column for the \(role) (the columns are \(available))", line: 1, column: requested)
                }
                return k
            }
            for name in candidates { if let k = table.column(named: name) { return k } }
            if required {
                throw fail("no \(role) column found; name it with '\(flag) COL' (the columns are \(available))", line: 1)
            }
            return nil
        }
        guard let winner = try resolve(columns.winner, ComparisonColumns.winnerNames, role: "winner", flag: "--winner", required: true),
              let loser = try resolve(columns.loser, ComparisonColumns.loserNames, role: "loser", flag: "--loser", required: true)
        else { throw fail("internal: required column not resolved") }
        guard winner != loser else {
            throw fail("the winner and loser columns are the same column", line: 1, column: table.header[winner])
        }
        let tie = try resolve(columns.tie, ComparisonColumns.tieNames, role: "tie flag", flag: "--tie", required: false)
        let home = try resolve(columns.home, ComparisonColumns.homeNames, role: "home flag", flag: "--home", required: false)

        var index: [String: Int] = [:]
        var names: [String] = []
        func item(_ name: String) -> Int {
            if let k = index[name] { return k }
            index[name] = names.count
            names.append(name)
            return names.count - 1
        }
        var comparisons: [ComparisonData.Comparison] = []
        comparisons.reserveCapacity(table.rowCount)
        var skipped: [ComparisonCSVError] = []
        for r in 0..<table.rowCount {
          do throws(ComparisonCSVError) {
            let line = table.lines[r]
            let first = table[r, winner].trimmingSpaces(), second = table[r, loser].trimmingSpaces()
            guard !first.isEmpty else { throw fail("empty name", line: line, column: table.header[winner]) }
            guard !second.isEmpty else { throw fail("empty name", line: line, column: table.header[loser]) }
            guard first != second else {
                throw fail("'\(first)' is compared with itself", line: line, column: table.header[loser])
            }
            var outcome = ComparisonData.Outcome.firstWins
            if let tie {
                let raw = table[r, tie]
                if raw == "1" { outcome = .tie } else if raw != "0" {
                    switch raw.trimmingSpaces().lowercased() {
                    case "1", "true", "yes", "t", "y": outcome = .tie
                    case "0", "false", "no", "f", "n", "": outcome = .firstWins
                    case let other: throw fail("expected 0 or 1, got '\(other)'", line: line, column: table.header[tie])
                    }
                }
            }
            var venue = ComparisonData.Venue.neutral
            if let home {
                switch table[r, home].trimmingSpaces() {
                case "1", "+1": venue = .firstAtHome
                case "-1": venue = .secondAtHome
                case "0", "": venue = .neutral
                case let other: throw fail("expected 1 (winner-column side at home), -1 (loser-column side) or 0, got '\(other)'",
                                           line: line, column: table.header[home])
                }
            }
            comparisons.append(.init(first: item(first), second: item(second), outcome: outcome, venue: venue))
          } catch {
            guard skipInvalidRows else { throw error }
            skipped.append(error)
          }
        }
        guard !comparisons.isEmpty else { throw fail("no comparisons: the file has a header but no rows", line: 1) }
        data = ComparisonData(unchecked: names, comparisons)
        winnerColumn = table.header[winner]
        loserColumn = table.header[loser]
        tieColumn = tie.map { table.header[$0] }
        homeColumn = home.map { table.header[$0] }
        self.skipped = skipped
    }
}
