import Dispatch
import Foundation
import Testing

/// Scripted sessions through stdin (no terminal: no prompts), asserting output and errors mid-session.
@Suite struct ReplScriptedTests {
    @Test func definitionsPersistAndErrorsDoNotEndTheSession() throws {
        let result = try CommandLineTool.run(["repl"], input: """
            let x = [1.0, 2.5]
            sum(x) * 2
            :type len(x)
            model Coin(flips: [Int]) {
              p ~ Beta(1, 1)
              for i in 0..<len(flips) { flips[i] ~ Bernoulli(p) }
            }
            undefined_thing + 1
            infer Coin([1, 1, 0, 1]) with lw(particles: 2000)
            :draws p
            model Coin(flips: [Int]) {
              p ~ Beta(2, 2)
              for i in 0..<len(flips) { flips[i] ~ Bernoulli(p) }
            }
            :engins
            1 + 1
            """)
        let out = result.standardOutput, err = result.standardError
        #expect(out.contains("defined x\n"))
        #expect(out.contains("7.0 : Real\n"))
        #expect(out.contains("Int\n"))
        #expect(out.contains("defined Coin\n"))
        #expect(err.contains("<repl>:1:1: error: use of undefined name 'undefined_thing'"))
        #expect(err.contains("1 | undefined_thing + 1\n  | ^~~~~~~~~~~~~~~"))
        #expect(out.contains("lw · seed 0 · 2000 weighted draws"))
        #expect(out.contains("p: 2000 draws: "))
        #expect(out.contains("redefined Coin\n"))
        #expect(err.contains("unknown command ':engins'; did you mean ':engines'?"))
        #expect(out.hasSuffix("2 : Int\n"))
        #expect(!out.contains("ppl>"))            // no prompts echoed without a terminal
        #expect(result.status == 1)               // a scripted session with errors fails the pipeline
    }

    @Test func loadReloadSaveAndSeed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ppl-repl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let saved = folder.appendingPathComponent("last.json").path
        let result = try CommandLineTool.run(["repl", "Programs/burglary.ppl"], input: """
            infer Burglary(1, 1) with enumerate
            :save \(saved)
            :reload
            :seed 5
            :ir Burglary
            :graph Burglary
            """)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("loaded Programs/burglary.ppl: defined Burglary"))
        #expect(result.standardOutput.contains("1 infer query in the file"))
        #expect(result.standardOutput.contains("exact, 8 assignments"))
        #expect(result.standardOutput.contains("seed 5\n"))
        #expect(result.standardOutput.contains("sample @burglary Bernoulli"))
        #expect(result.standardOutput.contains("digraph \"Burglary\""))
        let json = try String(contentsOfFile: saved, encoding: .utf8)
        #expect(json.contains("\"engine\":\"enumerate\""))
    }

    @Test func multiLineInputWaitsForClosingBraces() throws {
        let result = try CommandLineTool.run(["repl"], input: "fn twice(x: Real) -> Real {\n  return 2.0 * x\n}\ntwice(\n  3.0\n)\n")
        #expect(result.standardOutput == "defined twice\n6.0 : Real\n", "\(result.standardError)")
    }
}

/// The REPL in a real terminal: `script` gives it a pseudo-terminal, so libedit edits lines,
/// keeps history, and Ctrl-C reaches it as SIGINT through the terminal's line discipline.
@Suite struct ReplTerminalTests {
    /// Feeds keystrokes with pauses and returns everything the terminal showed.
    func session(_ steps: [(keys: String, pause: Double)], history: URL) throws -> (screen: String, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qfec", "\(CommandLineTool.executable.path) repl", "/dev/null"]
        process.currentDirectoryURL = CommandLineTool.root
        var environment = ProcessInfo.processInfo.environment
        environment["PPL_HISTORY"] = history.path
        environment["TERM"] = "xterm"
        process.environment = environment
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        Thread.sleep(forTimeInterval: 1.5)
        for step in steps {
            input.fileHandleForWriting.write(Data(step.keys.utf8))
            Thread.sleep(forTimeInterval: step.pause)
        }
        try input.fileHandleForWriting.close()
        // A hung REPL must fail the test, not block the suite.
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return (String(decoding: data, as: UTF8.self), process.terminationStatus)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func editingHistoryAndInterrupt() throws {
        let history = FileManager.default.temporaryDirectory.appendingPathComponent("ppl-history-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: history) }
        let (screen, status) = try session([
            ("2 * 4\u{7F}5\r", 1.0),                        // type, backspace over the 4, type 5
            ("\u{1B}[A\r", 1.0),                             // up arrow: the previous line again
            ("model C(f: [Int]) {\r  p ~ Beta(1, 1)\r  for i in 0..<len(f) { f[i] ~ Bernoulli(p) }\r}\r", 1.0),
            ("infer C([1, 0, 1]) with lw(particles: 50000000)\r", 3.0),
            ("\u{03}", 3.0),                                 // Ctrl-C during the inference
            ("1 + 1\r", 1.0),
            (":quit\r", 1.0),
        ], history: history)
        #expect(status == 0)
        let lines = screen.replacingOccurrences(of: "\r", with: "")
        #expect(lines.components(separatedBy: "10 : Int").count == 3, "\(lines)")   // both evaluations gave 10
        #expect(lines.contains("interrupted"))
        #expect(lines.contains("cancelled: partial result"))
        #expect(lines.contains("2 : Int"))                 // the session went on after the interrupt
        let saved = try String(contentsOf: history, encoding: .utf8)
        // history persisted to the file (libedit writes spaces as \040)
        #expect(saved.contains("2 * 5") || saved.contains("2\\040*\\0405"), "\(saved)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func controlDLeaves() throws {
        let history = FileManager.default.temporaryDirectory.appendingPathComponent("ppl-history-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: history) }
        let (screen, status) = try session([("3 - 1\r", 1.0), ("\u{04}", 1.0)], history: history)
        #expect(screen.contains("2 : Int"))
        #expect(status == 0)
    }
}
