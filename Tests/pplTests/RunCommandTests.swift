import Foundation
import Testing

@Suite struct RunCommandTests {
    @Test func runsTheBurglaryNetworkExactly() throws {
        let result = try CommandLineTool.run(["run", "Programs/burglary.ppl", "--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let addresses = object?["addresses"] as? [String: Any]
        let burglary = addresses?["burglary"] as? [String: Any]
        // P(B | J, M) by exact algebra (Russell & Norvig's network): 0.284171835...
        let mean = try #require(burglary?["mean"] as? Double)
        #expect(abs(mean - 0.28417183536439294) < 1e-12)
        #expect(object?["engine"] as? String == "enumerate")
        #expect(burglary?["ess"] is NSNull)
    }

    @Test func tableShowsHeaderAndHistogram() throws {
        let result = try CommandLineTool.run(["run", "Programs/burglary.ppl"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("enumerate · seed 0 · exact, 8 assignments"))
        #expect(result.standardOutput.contains("histogram"))
        #expect(result.standardOutput.contains("█"))
    }

    @Test func engineFlagOverridesTheFileAndSeedIsReproducible() throws {
        let arguments = ["run", "Programs/coin.ppl", "--engine", "lw", "--particles", "2000", "--seed", "7", "--format", "json"]
        let first = try CommandLineTool.run(arguments)
        let second = try CommandLineTool.run(arguments)
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("\"engine\":\"lw\""))
        #expect(first.standardOutput == second.standardOutput)
        let other = try CommandLineTool.run(["run", "Programs/coin.ppl", "--engine", "lw", "--particles", "2000", "--seed", "8", "--format", "json"])
        #expect(other.standardOutput != first.standardOutput)
    }

    @Test func unknownEngineIsAUsageErrorWithDidYouMean() throws {
        let result = try CommandLineTool.run(["run", "Programs/burglary.ppl", "--engine", "enumerat"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("unknown engine 'enumerat'; did you mean 'enumerate'?"))
    }

    @Test func unknownEngineOptionNamesIt() throws {
        let result = try CommandLineTool.run(["run", "Programs/coin.ppl", "--engine", "lw", "--option", "partcles=10"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("lw: unknown option 'partcles'; did you mean 'particles'?"))
    }

    /// `advance: particles` runs SMC particle by particle: on the gallery's HMM the same numbers as
    /// the default columns (the lockstep draw order), and a misspelt choice is a usage error.
    @Test func smcAdvancesInColumnsOrParticlesWithTheSameResult() throws {
        var outputs: [String] = []
        for advance in ["columns", "particles"] {
            let result = try CommandLineTool.run(["run", "Programs/hmm.ppl", "--engine", "smc", "--particles", "500",
                                                  "--option", "advance=\(advance)", "--format", "json"])
            #expect(result.status == 0, "\(result.standardError)")
            outputs.append(result.standardOutput)
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0].contains("\"logEvidence\""))
        let bad = try CommandLineTool.run(["run", "Programs/hmm.ppl", "--engine", "smc", "--option", "advance=particle"])
        #expect(bad.status == 64)
        #expect(bad.standardError.contains("particles"), "\(bad.standardError)")
    }

    @Test func badFlagValueExits64() throws {
        let result = try CommandLineTool.run(["run", "Programs/coin.ppl", "--particles", "0"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("--particles must be at least 1"))
    }

    @Test func checkerErrorsExitOneWithCaret() throws {
        let file = try CommandLineTool.temporaryFile("model M() {\n  p ~ Bta(1, 1)\n}\ninfer M() with enumerate\n")
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try CommandLineTool.run(["run", file.path])
        #expect(result.status == 1)
        #expect(result.standardError.contains(":2:7: error:"))
        #expect(result.standardError.contains("^~~"))
    }

    @Test func runtimeErrorNamesPlaceAndAddress() throws {
        let file = try CommandLineTool.temporaryFile("""
            model M() {
              s ~ Normal(0, 1)
              x ~ Normal(0, s - 10)
            }
            infer M() with lw(particles: 10)
            """)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try CommandLineTool.run(["run", file.path])
        #expect(result.status == 1)
        #expect(result.standardError.contains(":3:3"), "\(result.standardError)")
        #expect(result.standardError.contains("sigma"))
        #expect(result.standardError.contains("'x'"))
    }

    @Test func dataFileBindsParametersByName() throws {
        let model = try CommandLineTool.temporaryFile("""
            model Coin(flips: [Int]) {
              p ~ Beta(1, 1)
              for i in 0..<len(flips) { flips[i] ~ Bernoulli(p) }
            }
            infer Coin() with lw(particles: 4000)
            """)
        let data = try CommandLineTool.temporaryFile(#"{"flips": [1, 1, 1, 0], "unused": 3}"#, suffix: ".json")
        defer {
            try? FileManager.default.removeItem(at: model)
            try? FileManager.default.removeItem(at: data)
        }
        let result = try CommandLineTool.run(["run", model.path, "--data", data.path, "--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let p = (object?["addresses"] as? [String: Any])?["p"] as? [String: Any]
        let mean = try #require(p?["mean"] as? Double)
        let mcse = try #require(p?["mcse"] as? Double)
        #expect(abs(mean - 4.0 / 6.0) < 4 * mcse)   // Beta(4, 2)

        let bad = try CommandLineTool.temporaryFile(#"{"flips": [1, "x"]}"#, suffix: ".json")
        defer { try? FileManager.default.removeItem(at: bad) }
        let failed = try CommandLineTool.run(["run", model.path, "--data", bad.path])
        #expect(failed.status == 1)
        #expect(failed.standardError.contains("'flips[1]' must be an integer"))

        let missing = try CommandLineTool.run(["run", model.path])
        #expect(missing.status == 64)
        #expect(missing.standardError.contains("needs a value for parameter 'flips'"))
    }

    @Test func irPrintsTheModuleAndRejectsUnknownPasses() throws {
        let result = try CommandLineTool.run(["ir", "Programs/coin.ppl", "--after", "lower"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("sample @p Beta(1.0, 1.0)"))
        #expect(result.standardOutput.contains("observe @flips[%i] Bernoulli(%p)"))
        let bad = try CommandLineTool.run(["ir", "Programs/coin.ppl", "--after", "nope"])
        #expect(bad.status == 64)
        #expect(bad.standardError.contains("no pass named 'nope'"))
    }

    @Test func csvOutputIsCmdStanLayout() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ppl-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("draws.csv").path
        let result = try CommandLineTool.run(["run", "Programs/coin.ppl", "--engine", "lw", "--particles", "100", "--output", path])
        #expect(result.status == 0, "\(result.standardError)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("#"))
        let header = text.split(separator: "\n").first { !$0.hasPrefix("#") }
        #expect(header?.hasPrefix("log_weight__,") == true)   // weighted draws carry their log weights
        #expect(header?.contains(",p") == true)
    }

    @Test func symbolicEngineOptionsInTheFile() throws {
        let file = try CommandLineTool.temporaryFile("""
            model M(y: [Real]) {
              mu ~ Normal(0, 10)
              z ~ Bernoulli(0.5)
              for i in 0..<len(y) { y[i] ~ Normal(mu, 1) }
            }
            infer M([0.5, 1.5]) with gibbs(mu: conjugate, z: enumerate, samples: 200, chains: 2)
            infer M([0.5, 1.5]) with smc(particles: 200, resampling: stratified)
            """)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try CommandLineTool.run(["run", file.path])
        #expect(result.standardOutput.contains("schedule: mu: conjugate (Normal), z: enumerate"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("smc · seed 0 · 200 weighted draws"))
        #expect(result.status == 0, "\(result.standardError)")
        let misspelt = try CommandLineTool.run(["run", file.path, "--engine", "smc", "--option", "resampling=stratifed"])
        #expect(misspelt.standardError.contains("option 'resampling' must be one of multinomial, systematic, stratified, residual, got 'stratifed'"))
        #expect(misspelt.status == 64)
    }
}
