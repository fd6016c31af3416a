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
    /// What the terminal has shown so far, collected as it arrives.
    final class Screen: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func append(_ more: Data) { lock.withLock { data.append(more) } }
        var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
        func count(_ marker: String) -> Int { text.components(separatedBy: marker).count - 1 }

        /// Waits until `marker` has appeared `times` times; false after `seconds`.
        func wait(for marker: String, times: Int = 1, seconds: Double = 60) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if count(marker) >= times { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return false
        }
    }

    /// Runs `ppl repl` under `script` (a pseudo-terminal) and lets `drive` type into it.
    func session(history: URL, _ drive: (_ type: (String) -> Void, _ screen: Screen) -> Void) throws -> (screen: String, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        // script runs the command through $SHELL -c; `exec` makes ppl the pty's only process, so a
        // shell left waiting in between (dash does not exec a lone command) cannot die of the
        // Ctrl-C the test types and report 130 for a session that ended well.
        process.arguments = ["-qfec", "exec '\(CommandLineTool.executable.path)' repl", "/dev/null"]
        process.currentDirectoryURL = CommandLineTool.root
        var environment = ProcessInfo.processInfo.environment
        environment["PPL_HISTORY"] = history.path
        environment["TERM"] = "xterm"
        process.environment = environment
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        let screen = Screen()
        output.fileHandleForReading.readabilityHandler = { handle in screen.append(handle.availableData) }
        // A hung REPL must fail the test, not block the suite.
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 180, execute: watchdog)
        try process.run()
        drive({ input.fileHandleForWriting.write(Data($0.utf8)) }, screen)
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        watchdog.cancel()
        Thread.sleep(forTimeInterval: 0.2)
        output.fileHandleForReading.readabilityHandler = nil
        return (screen.text, process.terminationStatus)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func editingHistoryAndInterrupt() throws {
        let history = FileManager.default.temporaryDirectory.appendingPathComponent("ppl-history-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: history) }
        let (screen, status) = try session(history: history) { type, screen in
            _ = screen.wait(for: "ppl> ")
            type("2 * 4\u{7F}5\r")                               // type, backspace over the 4, type 5
            _ = screen.wait(for: "10 : Int")
            type("\u{1B}[A\r")                                    // up arrow: the previous line again
            _ = screen.wait(for: "10 : Int", times: 2)
            type("model C(f: [Int]) {\r  p ~ Beta(1, 1)\r  for i in 0..<len(f) { f[i] ~ Bernoulli(p) }\r}\r")
            _ = screen.wait(for: "defined C")
            type("infer C([1, 0, 1]) with lw(particles: 50000000)\r")
            Thread.sleep(forTimeInterval: 2)
            // Ctrl-C during the inference; repeated until it lands, in case the run started late.
            for _ in 0..<15 where !screen.wait(for: "interrupted", seconds: 2) { type("\u{03}") }
            _ = screen.wait(for: "cancelled: partial result")
            _ = screen.wait(for: "ppl> ", times: 5)
            type("1 + 1\r")
            _ = screen.wait(for: "2 : Int")
            type(":quit\r")
        }
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

    /// Ctrl-C with nothing running, twice, at the prompt: the session must survive it (a SIGINT
    /// that reached the default disposition would end the REPL with status 130).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func controlCAtThePromptKeepsTheSession() throws {
        let history = FileManager.default.temporaryDirectory.appendingPathComponent("ppl-history-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: history) }
        let (screen, status) = try session(history: history) { type, screen in
            _ = screen.wait(for: "ppl> ")
            type("\u{03}")
            Thread.sleep(forTimeInterval: 0.3)
            type("\u{03}")
            Thread.sleep(forTimeInterval: 0.3)
            type("3 - 1\r")
            _ = screen.wait(for: "2 : Int")
            type(":quit\r")
        }
        #expect(screen.contains("2 : Int"), "\(screen)")
        #expect(!screen.contains("interrupted"))           // nothing was running to interrupt
        #expect(status == 0)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func controlDLeaves() throws {
        let history = FileManager.default.temporaryDirectory.appendingPathComponent("ppl-history-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: history) }
        let (screen, status) = try session(history: history) { type, screen in
            _ = screen.wait(for: "ppl> ")
            type("3 - 1\r")
            _ = screen.wait(for: "2 : Int")
            _ = screen.wait(for: "ppl> ", times: 2)
            type("\u{04}")
        }
        #expect(screen.contains("2 : Int"))
        #expect(status == 0)
    }
}
