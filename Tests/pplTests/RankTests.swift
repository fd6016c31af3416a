import Foundation
import Testing

/// `ppl rank` run as a user runs it: the built binary, its output and its exit code.
@Suite struct RankTests {
    struct Run { var status: Int32; var stdout: String; var stderr: String }

    /// The `ppl` binary next to the test bundle in the build directory.
    static func pplBinary() throws -> URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("ppl")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "ppl binary not found beside the tests; build it first"])
    }

    static func ppl(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = try pplBinary()
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                   stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func temporaryCSV(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rank-\(UUID().uuidString).csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// $PPL_SHARED_DATA/bt, else ../shared/data/bt beside the repository (scripts/test sets the variable).
    static let dataDirectory = (ProcessInfo.processInfo.environment["PPL_SHARED_DATA"].map { URL(fileURLWithPath: $0) }
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data"))
        .appendingPathComponent("bt")

    /// A small strongly connected tournament: a > b > c > a plus a couple of extra wins for a.
    static let tournament = "winner,loser\na,b\nb,c\nc,a\na,c\na,b\nb,a\nc,b\n"

    @Test func tableListsRankNameScoreIntervalWinsLosses() throws {
        let run = try Self.ppl(["rank", try Self.temporaryCSV(Self.tournament)])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("# method newman (mle)") == true)
        let header = try #require(lines.first { $0.contains("rank") && $0.contains("name") })
        for column in ["score", "95% interval", "wins", "losses"] { #expect(header.contains(column)) }
        let first = try #require(lines.first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("1 ") })
        #expect(first.contains(" a ") && first.contains("["))
    }

    @Test func jsonHasTheContractFields() throws {
        let run = try Self.ppl(["rank", try Self.temporaryCSV(Self.tournament), "--format", "json", "--method", "zermelo"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["method"] as? String == "zermelo")
        #expect((object["iterations"] as? Int ?? 0) > 0)
        #expect(object["logLikelihood"] is Double)
        let items = try #require(object["items"] as? [[String: Any]])
        #expect(Set(items.compactMap { $0["name"] as? String }) == ["a", "b", "c"])
        #expect(items.first?["name"] as? String == "a", "a has the best record")
        let scores = items.compactMap { $0["score"] as? Double }
        #expect(scores == scores.sorted(by: >), "ranked by score")
        #expect(scores.count == 3 && abs(scores.reduce(0, +)) < 1e-12, "scores are centred log-strengths")
        #expect(items.allSatisfy { $0["lower"] is Double && $0["upper"] is Double })
    }

    @Test func disconnectedDataFailUnlessAComponentOrPriorIsChosen() throws {
        let path = Self.dataDirectory.appendingPathComponent("nfl_games.csv").path
        let refused = try Self.ppl(["rank", path, "--ties", "drop"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("not strongly connected") && refused.stderr.contains("--component largest"))
        let largest = try Self.ppl(["rank", path, "--ties", "drop", "--component", "largest", "--format", "json", "--top", "5"])
        #expect(largest.status == 0, "\(largest.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(largest.stdout.utf8)) as? [String: Any])
        #expect((object["excluded"] as? [String])?.count == 123 - 81)
        #expect((object["items"] as? [Any])?.count == 5)
        let prior = try Self.ppl(["rank", path, "--ties", "drop", "--prior", "newman", "--format", "json", "--no-intervals"])
        #expect(prior.status == 0, "\(prior.stderr)")
        #expect(prior.stdout.contains("\"estimate\":\"map\"") && prior.stdout.contains("\"itemCount\":123"))
    }

    @Test func davidsonTiesAndHomeAdvantageAreReported() throws {
        let path = Self.dataDirectory.appendingPathComponent("nfl_games.csv").path
        let run = try Self.ppl(["rank", path, "--ties", "davidson", "--home", "home", "--component", "largest", "--format", "json", "--top", "3"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        // The README: home sides win 58% of NFL games, so theta > 1; draws are 1.9%, so nu is small but positive.
        #expect((object["homeAdvantage"] as? Double ?? 0) > 1.2)
        #expect((object["tieParameter"] as? Double ?? 0) > 0)
    }

    @Test func bayesReportsRankProbabilities() throws {
        let run = try Self.ppl(["rank", try Self.temporaryCSV(Self.tournament), "--method", "bayes", "--samples", "300",
                                "--seed", "9", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["seed"] as? Int == 9)
        let items = try #require(object["items"] as? [[String: Any]])
        let probabilities = items.compactMap { $0["rankProbabilities"] as? [Double] }
        #expect(probabilities.count == 3 && probabilities.allSatisfy { abs($0.reduce(0, +) - 1) < 1e-9 })
        let again = try Self.ppl(["rank", try Self.temporaryCSV(Self.tournament), "--method", "bayes", "--samples", "300",
                                  "--seed", "9", "--format", "json"])
        let strip: (String) -> String = { $0.replacingOccurrences(of: #""seconds":[^,]*,"#, with: "", options: .regularExpression) }
        #expect(strip(again.stdout) == strip(run.stdout), "same seed, same draws")
    }

    @Test func badFlagsExit64() throws {
        let path = try Self.temporaryCSV(Self.tournament)
        for arguments in [["--method", "elo"], ["--format", "xml"], ["--top", "0"], ["--prior", "gamma:1"],
                          ["--component", "all"], ["--method", "bayes", "--prior", "newman"], ["--ties", "some"]] {
            let run = try Self.ppl(["rank", path] + arguments)
            #expect(run.status == 64, "\(arguments): \(run.stderr)")
        }
    }

    @Test func badFilesExit1NamingColumnAndLine() throws {
        let missing = try Self.ppl(["rank", try Self.temporaryCSV("winner,other\na,b\n")])
        #expect(missing.status == 1 && missing.stderr.contains("--loser"))
        let wrongColumn = try Self.ppl(["rank", try Self.temporaryCSV(Self.tournament), "--tie", "draw"])
        #expect(wrongColumn.status == 1 && wrongColumn.stderr.contains("column 'draw'"))
        let badRow = try Self.ppl(["rank", try Self.temporaryCSV("winner,loser,tie\na,b,0\nb,a,x\n")])
        #expect(badRow.status == 1 && badRow.stderr.contains(":3:") && badRow.stderr.contains("column 'tie'"))
        let noFile = try Self.ppl(["rank", "/nonexistent/comparisons.csv"])
        #expect(noFile.status == 1 && noFile.stderr.contains("/nonexistent/comparisons.csv"))
        let selfGame = try Self.ppl(["rank", try Self.temporaryCSV("winner,loser\na,b\nb,b\nb,a\n")])
        #expect(selfGame.status == 1 && selfGame.stderr.contains(":3:"))
        let skipped = try Self.ppl(["rank", try Self.temporaryCSV("winner,loser\na,b\nb,b\nb,a\n"), "--skip-bad-rows"])
        #expect(skipped.status == 0 && skipped.stderr.contains("warning: row skipped"))
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func aPplModelUnderRankGivesThePplRankScoresOfTheSameData() throws {
        let program = Self.repository.appendingPathComponent("Programs/bradley_terry.ppl").path
        let csv = Self.repository.appendingPathComponent("Programs/data/nfl_2019.csv").path
        let json = Self.repository.appendingPathComponent("Programs/data/nfl_2019.json").path
        let model = try Self.ppl(["run", program, "--model", "BradleyTerry", "--engine", "rank", "--option", "prior=none",
                                  "--data", json, "--format", "json"])
        #expect(model.status == 0, "\(model.stderr)")
        let rank = try Self.ppl(["rank", csv, "--tolerance", "1e-12", "--format", "json"])
        #expect(rank.status == 0, "\(rank.stderr)")
        let posterior = try #require(try JSONSerialization.jsonObject(with: Data(model.stdout.utf8)) as? [String: Any])
        let addresses = try #require(posterior["addresses"] as? [String: [String: Any]])
        let items = try #require((try JSONSerialization.jsonObject(with: Data(rank.stdout.utf8)) as? [String: Any])?["items"] as? [[String: Any]])
        #expect(items.count == 32 && addresses.count == 32)
        for item in items {
            let name = try #require(item["name"] as? String), score = try #require(item["score"] as? Double)
            let mean = try #require(addresses["skill[\(name)]"]?["mean"] as? Double)
            #expect(abs(mean - score) < 1e-8, "skill[\(name)]: \(mean) vs ppl rank \(score)")
        }
        #expect(posterior["engine"] as? String == "rank")
    }

    @Test func irAfterRecogniseBradleyTerryShowsTheComparisons() throws {
        let program = Self.repository.appendingPathComponent("Programs/bradley_terry.ppl").path
        let run = try Self.ppl(["ir", program, "--after", "recognise-bradley-terry"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("""
        // bradley-terry:
        //   skill[0 ..< teams] (log-strength) ~ Logistic(0.0, 1.0): rank engine default: MAP by Newman's iteration (his Eq. 26 prior)
        //   for m in 0 ..< len(winner): observe[*] ~ Bernoulli(logistic(skill[i] - skill[j])): first winner[m], second loser[m], outcome 1
        """), "\(run.stdout)")
        // Stopping before the pass leaves the fact out.
        let before = try Self.ppl(["ir", program, "--after", "recognise-conjugacy"])
        #expect(before.status == 0 && !before.stdout.contains("bradley-terry"))
    }
}
