import Foundation
import Testing

/// `ppl check` as a user runs it: exit codes, and diagnostics on stderr without colour when piped.
@Suite struct CheckCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `ppl` built next to this test bundle.
    static func executable() throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ppl"),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("ppl"),
            root.appendingPathComponent(".build/debug/ppl"),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw CocoaError(.fileNoSuchFile)
        }
        return found
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    static func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("check-\(UUID().uuidString).ppl").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func cleanProgramsExitZero() throws {
        let programs = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Programs").path)
            .filter { $0.hasSuffix(".ppl") }.map { Self.root.appendingPathComponent("Programs/\($0)").path }
        #expect(programs.count >= 9)
        let result = try Self.run(["check"] + programs)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
    }

    @Test func diagnosticsExitOneWithPlaceSourceLineAndCaret() throws {
        let path = try Self.temporaryFile("model M() {\n  x ~ Normall(0, 1)\n  y ~ Normal(0, sigm)\n}\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Self.run(["check", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(path):2:7: error: unknown distribution 'Normall'\n  |\n2 |   x ~ Normall(0, 1)\n  |       ^~~~~~~\nnote: did you mean 'Normal'?"))
        #expect(result.stderr.contains("\(path):3:17: error: use of undefined name 'sigm'"))
        #expect(!result.stderr.contains("\u{1B}["), "no colour when stderr is not a terminal")
    }

    @Test func warningsAloneExitZero() throws {
        let path = try Self.temporaryFile("model M() {\n  exp(1)\n}\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Self.run(["check", path])
        #expect(result.status == 0)
        #expect(result.stderr.contains("warning: result of 'exp' is unused"))
    }

    @Test func usageErrorsExitSixtyFour() throws {
        #expect(try Self.run(["check"]).status == 64)
        #expect(try Self.run(["check", "--no-such-flag", "x.ppl"]).status == 64)
    }

    @Test func binaryFileExitsOneWithAMessage() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("check-\(UUID().uuidString).ppl").path
        try Data([0x6C, 0x65, 0x74, 0x20, 0xFF, 0xFE, 0x00]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Self.run(["check", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: '\(path)' is not UTF-8 text"))
    }

    @Test func deepNestingIsAnErrorInTheTool() throws {
        let path = try Self.temporaryFile("let x = " + String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Self.run(["check", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: program is nested too deeply (more than 256 levels)"))
    }

    @Test func unreadableFileExitsOne() throws {
        let result = try Self.run(["check", "/nonexistent/model.ppl"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: cannot read '/nonexistent/model.ppl'"))
    }
}
