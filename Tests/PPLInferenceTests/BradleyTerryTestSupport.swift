import Foundation
import PPLDistributions
@testable import PPLInference

/// Shared helpers for the Bradley-Terry tests: the data sets in ../shared/data/bt and seeded synthetic problems.
enum BTFixtures {
    /// $PPL_SHARED_DATA/bt, else ../shared/data/bt beside the repository (scripts/test sets the variable).
    static let dataDirectory: URL = (ProcessInfo.processInfo.environment["PPL_SHARED_DATA"].map { URL(fileURLWithPath: $0) }
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data"))
        .appendingPathComponent("bt")

    static let dataSets = ["intl_football", "nfl_games", "vervet_dominance"]

    struct LoadError: Error, CustomStringConvertible { var description: String }

    static func table(_ name: String) throws -> CSVTable {
        let url = dataDirectory.appendingPathComponent(name + ".csv")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw LoadError(description: "cannot read \(url.path); set PPL_SHARED_DATA or put ../shared/data beside the repository")
        }
        return try CSVTable(parsing: text, fileName: name + ".csv")
    }

    /// A data set's comparisons; the one self-comparison row of the vervet data (line 9722) is skipped.
    static func load(_ name: String) throws -> ComparisonData {
        try ComparisonFile(table(name), skipInvalidRows: true).data
    }

    /// The 2019 NFL season (the reference fixture's data).
    static func nfl2019() throws -> ComparisonData {
        let t = try table("nfl_games")
        let season = t.column(named: "season")!
        return try ComparisonFile(t.selecting(rows: (0..<t.rowCount).filter { t[$0, season] == "2019" })).data
    }

    /// Plain BT data: `items` items with N(0, spread^2) log-strengths, `games` games between random pairs,
    /// plus a ring of wins each way so the win graph is strongly connected.
    static func synthetic(items: Int, games: Int, spread: Double = 1, seed: UInt64) -> (data: ComparisonData, truth: [Double]) {
        var rng = RandomStream(seed: seed)
        let truth = (0..<items).map { _ in spread * rng.standardNormal() }
        var comparisons: [ComparisonData.Comparison] = []
        for k in 0..<items {
            comparisons.append(.win(k, over: (k + 1) % items))
            comparisons.append(.win((k + 1) % items, over: k))
        }
        for _ in 0..<games {
            let i = rng.index(below: items)
            var j = rng.index(below: items - 1)
            if j >= i { j += 1 }
            let p = 1 / (1 + exp(truth[j] - truth[i]))
            comparisons.append(rng.uniform() < p ? .win(i, over: j) : .win(j, over: i))
        }
        return (try! ComparisonData(itemNames: (0..<items).map { "item\($0)" }, comparisons: comparisons), truth)
    }

    static func fixture(_ name: String) throws -> [String: Any] {
        guard let base = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw LoadError(description: "no Fixtures directory in the test bundle")
        }
        let data = try Data(contentsOf: base.appendingPathComponent(name))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw LoadError(description: "\(name) is not a JSON object")
        }
        return object
    }
}
