import Foundation
import Testing
import PPLDistributions
@testable import PPLInference

/// A fixed posterior with scalar, vector, matrix, integer and nested columns, two chains.
func cmdStanSamplePosterior() -> Posterior {
    let columns: [Address] = ["mu", "theta[0]", "theta[1]", "k", "m[0][0]", "m[0][1]", "m[1][0]", "m[1][1]", "step[2].x"]
    let draws = 40
    let values: [[[Double]]] = (0..<2).map { chain in
        columns.indices.map { c in
            (0..<draws).map { d in
                let t = Double(d * 7 + c * 13 + chain * 29)
                return c == 3 ? Double((d * 3 + chain) % 5) : sin(t) + 0.1 * Double(c) + 0.3 * cos(0.37 * t)
            }
        }
    }
    var posterior = Posterior(engine: "mh", seed: 42, columns: columns,
                              columnIsInteger: columns.map { $0 == "k" }, draws: values)
    posterior.sampleStatistics = [
        "lp__": (0..<2).map { chain in (0..<draws).map { -10 - sin(Double($0 + chain)) } },
        "accept_stat__": (0..<2).map { chain in (0..<draws).map { 0.5 + 0.4 * cos(Double($0 * 3 + chain)) } },
    ]
    posterior.observationAddresses = ["y[0]", "y[1]"]
    posterior.pointwiseLogLikelihood = (0..<2).map { chain in
        (0..<2).map { i in (0..<draws).map { -1 - 0.5 * abs(sin(Double($0 + 5 * i + chain))) } }
    }
    return posterior
}

private struct ArviZReading: Decodable {
    struct Variable: Decodable {
        var shape: [Int]
        var mean: [Double]
        var essBulk: [Double?]
        var rhat: [Double?]
    }
    var posterior: [String: Variable]
    var sampleStats: [String: [Int]]
    var logLikelihood: [String: [Int]]
}

@Suite struct CmdStanCSVTests {
    @Test func columnNamesFollowCmdStan() {
        #expect(CmdStanCSV.columnName("mu") == "mu")
        #expect(CmdStanCSV.columnName("theta[0]") == "theta.1")
        #expect(CmdStanCSV.columnName("m[1][2]") == "m.2.3")
        #expect(CmdStanCSV.columnName("step[2].x") == "step_x.3")
    }

    @Test func filesMatchTheOnesArviZRead() throws {
        let files = CmdStanCSV.chainFiles(cmdStanSamplePosterior(), model: "fixture")
        if let folder = ProcessInfo.processInfo.environment["PPL_WRITE_FIXTURES"] {
            for (c, text) in files.enumerated() {
                try Data(text.utf8).write(to: URL(fileURLWithPath: folder).appendingPathComponent("draws_\(c + 1).csv"))
            }
        }
        for (c, text) in files.enumerated() {
            let url = try #require(Bundle.module.url(forResource: "Fixtures/cmdstan/draws_\(c + 1)", withExtension: "csv"))
            #expect(try String(contentsOf: url, encoding: .utf8) == text, "chain \(c + 1) differs from the file ArviZ read")
        }
        #expect(files[0].contains("\nlp__,accept_stat__,mu,theta.1,theta.2,k,m.1.1,m.1.2,m.2.1,m.2.2,step_x.3,log_lik.1,log_lik.2\n"))
    }

    @Test func arviZReadsTheSameNumbers() throws {
        // scripts/fixtures/cmdstan_arviz.py read Fixtures/cmdstan/draws_*.csv with az.from_cmdstan.
        let url = try #require(Bundle.module.url(forResource: "Fixtures/cmdstan/arviz_reading", withExtension: "json"))
        let reading = try JSONDecoder().decode(ArviZReading.self, from: Data(contentsOf: url))
        let posterior = cmdStanSamplePosterior()
        #expect(reading.posterior["theta"]?.shape == [2, 40, 2])
        #expect(reading.posterior["m"]?.shape == [2, 40, 2, 2])
        #expect(reading.sampleStats["lp"] == [2, 40] && reading.sampleStats["acceptance_rate"] == [2, 40])
        #expect(reading.logLikelihood["log_lik"] == [2, 40, 2])
        // Each column's mean, bulk ESS and R-hat as ArviZ computes them from the files.
        let flat: [(String, Int)] = [("mu", 0), ("theta", 0), ("theta", 1), ("k", 0), ("m", 0), ("m", 1), ("m", 2), ("m", 3)]
        for (c, (name, element)) in flat.enumerated() {
            let variable = try #require(reading.posterior[name])
            let s = posterior.summary(column: c)
            #expect(abs((s.mean ?? .nan) - variable.mean[element]) < 1e-12, "\(name)[\(element)] mean")
            let ess = try #require(variable.essBulk[element])
            let rhat = try #require(variable.rhat[element])
            #expect(abs((s.ess ?? .nan) - ess) < 1e-6 * ess, "\(name)[\(element)] ESS")
            #expect(abs((s.rhat ?? .nan) - rhat) < 1e-6, "\(name)[\(element)] R-hat")
        }
    }

    @Test func writeNamesOneFilePerChain() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ppl-cmdstan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let urls = try CmdStanCSV.write(cmdStanSamplePosterior(), to: folder.appendingPathComponent("out.csv"))
        #expect(urls.map(\.lastPathComponent) == ["out_1.csv", "out_2.csv"])
        #expect(FileManager.default.fileExists(atPath: urls[1].path))
    }
}

@Suite struct PosteriorJSONTests {
    @Test func followsTheOutputConvention() throws {
        var posterior = cmdStanSamplePosterior()
        posterior.diagnostics.acceptanceRate = ["mu": 0.43]
        posterior.diagnostics.warnings = ["a \"quoted\" warning"]
        let text = PosteriorJSON.encode(posterior)
        #expect(!text.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["engine"] as? String == "mh")
        #expect(object["seed"] as? Int == 42)
        #expect(object["logEvidence"] is NSNull)
        let addresses = try #require(object["addresses"] as? [String: [String: Any]])
        #expect(Set(addresses.keys) == Set(posterior.columns.map(\.description)))
        let mu = try #require(addresses["mu"])
        #expect(Set(mu.keys) == ["mean", "sd", "q05", "q50", "q95", "ess", "essTail", "rhat", "mcse"])
        let summary = posterior.summary(column: 0)
        #expect(abs((mu["mean"] as? Double ?? .nan) - (summary.mean ?? .nan)) < 1e-15)
        #expect(abs((mu["rhat"] as? Double ?? .nan) - (summary.rhat ?? .nan)) < 1e-15)
        let diagnostics = try #require(object["diagnostics"] as? [String: Any])
        #expect((diagnostics["acceptanceRate"] as? [String: Double])?["mu"] == 0.43)
        #expect((diagnostics["warnings"] as? [String])?.first == "a \"quoted\" warning")
        // Addresses keep column order (z[2] before z[10]), which a dictionary would lose.
        #expect(text.range(of: "\"theta[0]\"")!.lowerBound < text.range(of: "\"theta[1]\"")!.lowerBound)
    }

    @Test func weightedPosteriorsReportKishESSAndNullRHat() throws {
        let posterior = Posterior(engine: "lw", seed: 1, columns: ["x"], columnIsInteger: [false],
                                  draws: [[[0, 1, 2]]], logWeights: [[0, log(2.0), 0]], logEvidence: -1.5)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(PosteriorJSON.encode(posterior).utf8)) as? [String: Any])
        let x = try #require((object["addresses"] as? [String: [String: Any]])?["x"])
        #expect(abs((x["ess"] as? Double ?? 0) - 16.0 / 6.0) < 1e-12)
        #expect(x["rhat"] is NSNull && x["essTail"] is NSNull)
        #expect(object["logEvidence"] as? Double == -1.5)
    }
}
