import ArgumentParser
import Foundation
import PPLInference

/// `ppl rank FILE.csv`: Bradley-Terry ranking from a CSV of pairwise comparisons.
struct Rank: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rank items from pairwise comparisons (Bradley-Terry).",
        discussion: """
        Each row of FILE is one comparison: the winner-column item beat the loser-column item, \
        or drew with it when the tie column is 1. Columns named winner/loser/tie/home are found \
        by themselves. Scores are log-strengths centred to mean 0 with 95% intervals from the \
        observed information (MLE/MAP) or the posterior (bayes).
        """)

    @Argument(help: "CSV file with one comparison per row and a header row.")
    var file: String

    @Option(help: "Column with the winner (or first item of a draw).") var winner: String?
    @Option(help: "Column with the loser (or second item of a draw).") var loser: String?
    @Option(help: "Column that is 1 for a draw, 0 otherwise.") var tie: String?
    @Option(help: "Column that is 1 when the winner-column side was at home, -1 for the loser-column side, 0 for neutral; naming it fits a home advantage.")
    var home: String?

    @Option(help: "newman (Newman 2023), zermelo (Zermelo/MM) or bayes (Gibbs sampler).")
    var method: String = "newman"
    @Option(help: "none, newman (Newman's Eq. 26 logistic prior: MAP) or gamma:SHAPE,RATE (bayes; default gamma:1,1).")
    var prior: String?
    @Option(help: "When the MLE does not exist: 'largest' ranks the largest strongly connected component, 'prior' uses Newman's prior on all items.")
    var component: String?
    @Option(help: "Draws: half (half a win each, default), drop, or davidson (Davidson's tie parameter).")
    var ties: String = "half"
    @Flag(help: "Fit a home-advantage factor from the home column.") var homeAdvantage = false
    @Flag(help: "Leave out bad rows (empty names, self-comparisons, bad flags) with a warning instead of failing.")
    var skipBadRows = false

    @Option(help: "Show only the top K items.") var top: Int?
    @Option(help: "table or json.") var format: String = "table"
    @Option(help: "Stop when no log-strength changes by more than this over a sweep.") var tolerance: Double = 1e-10
    @Option(help: "Give up after this many sweeps.") var maxIterations: Int = 100_000
    @Flag(inversion: .prefixedNo, help: "Intervals from the observed information (default: when at most 3000 parameters).")
    var intervals: Bool?

    @Flag(help: "Print the time spent reading, parsing and ranking to stderr.") var timings = false

    @Option(help: "Seed for bayes.") var seed: UInt64 = 1
    @Option(help: "Draws kept per chain (bayes).") var samples: Int = 1_000
    @Option(help: "Warm-up sweeps per chain (bayes; default = samples).") var warmup: Int?
    @Option(help: "Chains (bayes).") var chains: Int = 4

    func validate() throws {
        guard RankingRequest.Method(rawValue: method) != nil else {
            throw ValidationError("unknown method '\(method)'; use newman, zermelo or bayes")
        }
        guard ["table", "json"].contains(format) else { throw ValidationError("unknown format '\(format)'; use table or json") }
        guard ComparisonGraph.TieHandling(rawValue: ties) != nil else {
            throw ValidationError("unknown tie handling '\(ties)'; use half, drop or davidson")
        }
        if let component, RankingRequest.ComponentPolicy(rawValue: component) == nil {
            throw ValidationError("unknown component policy '\(component)'; use largest or prior")
        }
        if let top, top < 1 { throw ValidationError("--top must be at least 1, got \(top)") }
        guard tolerance > 0, tolerance.isFinite else { throw ValidationError("--tolerance must be positive, got \(tolerance)") }
        guard maxIterations >= 1 else { throw ValidationError("--max-iterations must be at least 1") }
        guard samples >= 1, chains >= 1, (warmup ?? 0) >= 0 else {
            throw ValidationError("--samples and --chains must be at least 1 and --warmup at least 0")
        }
        _ = try request()
    }

    /// The request the flags describe; bad combinations are usage errors (exit 64).
    func request() throws -> RankingRequest {
        var request = RankingRequest()
        request.method = RankingRequest.Method(rawValue: method) ?? .newman
        request.ties = ComparisonGraph.TieHandling(rawValue: ties) ?? .half
        request.homeAdvantage = homeAdvantage || home != nil
        request.component = component.flatMap(RankingRequest.ComponentPolicy.init(rawValue:))
        request.tolerance = tolerance
        request.maxIterations = maxIterations
        request.intervals = intervals
        request.seed = seed
        request.samples = samples
        request.warmup = warmup
        request.chains = chains
        switch prior {
        case nil, "none"?: request.prior = .none
        case "newman"?:
            guard request.method != .bayes else { throw ValidationError("bayes takes a gamma prior ('--prior gamma:SHAPE,RATE'), not 'newman'") }
            request.prior = .newman
        case let text?:
            let parts = text.hasPrefix("gamma:") ? text.dropFirst(6).split(separator: ",").map { Double($0) } : []
            guard parts.count == 2, let a = parts[0], let b = parts[1], a > 0, b > 0, a.isFinite, b.isFinite else {
                throw ValidationError("unknown prior '\(text)'; use none, newman, or gamma:SHAPE,RATE with positive numbers")
            }
            guard request.method == .bayes else { throw ValidationError("a gamma prior needs '--method bayes'") }
            request.gammaShape = a
            request.gammaRate = b
        }
        if request.method == .bayes && (request.ties == .davidson || request.homeAdvantage) {
            throw ValidationError("bayes handles plain Bradley-Terry only: drop '--ties davidson' and '--home'/'--home-advantage'")
        }
        return request
    }

    func run() throws {
        let request = try request()
        // CPU time per phase (not wall time, which other processes distort).
        var cpu = clock()
        func lap(_ phase: String) {
            guard timings else { return }
            let now = clock()
            FileHandle.standardError.write(Data("timing: \(phase) \(String(format: "%.1f", Double(now - cpu) * 1e3 / Double(CLOCKS_PER_SEC))) ms cpu\n".utf8))
            cpu = now
        }
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            FileHandle.standardError.write(Data("\(file): error: cannot read the file (\(error.localizedDescription))\n".utf8))
            throw ExitCode(1)
        }
        do {
            lap("read")
            let table = try CSVTable(parsing: text, fileName: file)
            lap("csv")
            let comparisons = try ComparisonFile(table, columns: ComparisonColumns(winner: winner, loser: loser, tie: tie, home: home),
                                                 skipInvalidRows: skipBadRows)
            for skipped in comparisons.skipped {
                FileHandle.standardError.write(Data("\(String(describing: skipped).replacingOccurrences(of: ": error: ", with: ": warning: row skipped: "))\n".utf8))
            }
            if request.homeAdvantage && comparisons.homeColumn == nil {
                FileHandle.standardError.write(Data("\(file): error: a home advantage needs a home column; name it with '--home COL'\n".utf8))
                throw ExitCode(1)
            }
            lap("comparisons")
            let ranking = try Ranking.rank(comparisons.data, request)
            lap("rank")
            print(format == "json" ? ranking.json(top: top) : ranking.table(top: top), terminator: format == "json" ? "\n" : "")
            lap("print")
        } catch let error as CSVTable.ParseError {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        } catch let error as ComparisonCSVError {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        } catch let error as BradleyTerryError {
            FileHandle.standardError.write(Data("\(file): error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
