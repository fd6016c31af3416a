import ArgumentParser
import CEditLine
import Foundation
import PPL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `ppl repl [FILE]`: an interactive session with line editing, history, completion and Ctrl-C.
struct Repl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explore models interactively: definitions persist, infer prints posteriors.")

    @Argument(help: "A .ppl file whose definitions to load first.") var file: String?
    @Option(help: "Seed for queries (change it with :seed).") var seed: UInt64 = 0

    func run() async throws {
        let interactive = isatty(STDIN_FILENO) != 0
        let session = ReplSession(seed: seed, colour: interactive && isatty(STDERR_FILENO) != 0)
        // Ctrl-C is owned before libedit starts, so libedit never sees another disposition.
        let interrupts = InterruptForwarder()
        let reader: LineReader = interactive ? EditLineReader() : PlainLineReader()
        if interactive { print("ppl repl — :help for commands, Ctrl-D to leave") }
        if let file {
            if !show(await session.handle(":load \(file)")) && !interactive { throw ExitCode(1) }
        }
        var failed = false
        while true {
            completionWords.set(await session.completions())
            guard var text = reader.readLine(prompt: "ppl> ") else { break }
            while !ReplSession.isComplete(text) {
                guard let more = reader.readLine(prompt: "...> ") else { break }
                text += "\n" + more
            }
            reader.remember(text)
            let task = Task { await session.handle(text) }
            interrupts.current = { task.cancel() }
            let response = await task.value
            interrupts.current = nil
            if !show(response) { failed = true }
            if response.quit { break }
        }
        reader.close()
        // Scripted sessions report failure in their exit status, as a pipeline needs.
        if failed && !interactive { throw ExitCode(1) }
    }

    /// Prints a response; returns false when it carried an error.
    private func show(_ response: ReplResponse) -> Bool {
        if !response.output.isEmpty { FileHandle.standardOutput.write(Data(response.output.utf8)) }
        if !response.error.isEmpty { FileHandle.standardError.write(Data(response.error.utf8)) }
        return response.error.isEmpty
    }
}

/// Reads input lines, with or without a terminal.
protocol LineReader {
    func readLine(prompt: String) -> String?
    func remember(_ entry: String)
    func close()
}

/// Scripted input: no prompts, no history.
struct PlainLineReader: LineReader {
    func readLine(prompt: String) -> String? { Swift.readLine(strippingNewline: true) }
    func remember(_ entry: String) {}
    func close() {}
}

/// libedit line editing with persistent history in ~/.ppl_history and tab completion.
struct EditLineReader: LineReader {
    let historyPath: String

    init() {
        historyPath = (ProcessInfo.processInfo.environment["PPL_HISTORY"]
                       ?? (NSHomeDirectory() as NSString).appendingPathComponent(".ppl_history"))
        using_history()
        _ = read_history(historyPath)
        ppl_set_completion(completeWord)
    }

    func readLine(prompt: String) -> String? {
        guard let line = CEditLine.readline(prompt) else { print(""); return nil }
        defer { free(line) }
        return String(cString: line)
    }

    func remember(_ entry: String) {
        guard !entry.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        add_history(entry)
        _ = write_history(historyPath)
    }

    func close() { _ = write_history(historyPath) }
}

/// Words offered by tab completion. libedit's completion callback is a plain C function
/// with no context pointer, so the word list it reads has to live outside any value;
/// a lock makes that one shared list safe.
final class CompletionWords: @unchecked Sendable {
    private let lock = NSLock()
    private var words: [String] = []
    private var matches: [String] = []

    func set(_ newWords: [String]) { lock.withLock { words = newWords } }

    func match(_ prefix: String, state: Int) -> String? {
        lock.withLock {
            if state == 0 { matches = words.filter { $0.hasPrefix(prefix) }.sorted() }
            return state < matches.count ? matches[state] : nil
        }
    }
}

let completionWords = CompletionWords()

private func completeWord(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
    guard let text else { return nil }
    guard let word = completionWords.match(String(cString: text), state: Int(state)) else { return nil }
    return strdup(word)
}

/// Turns SIGINT into cancelling the running inference; the session and its state survive.
/// Ctrl-C with nothing running is ignored, as in a shell's prompt.
final class InterruptForwarder: @unchecked Sendable {
    private let lock = NSLock()
    private var action: (@Sendable () -> Void)?

    var current: (@Sendable () -> Void)? {
        get { lock.withLock { action } }
        set { lock.withLock { action = newValue } }
    }

    init() {
        let descriptor = ppl_catch_interrupts()
        guard descriptor >= 0 else {
            FileHandle.standardError.write(Data("warning: Ctrl-C cannot be caught; it will end the session\n".utf8))
            return
        }
        let thread = Thread { [self] in   // lives as long as the process
            var byte: UInt8 = 0
            while true {
                let count = read(descriptor, &byte, 1)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return }
                if let action = self.current {
                    FileHandle.standardError.write(Data("\ninterrupted\n".utf8))
                    action()
                }
            }
        }
        thread.name = "ppl-interrupts"
        thread.start()
    }
}
