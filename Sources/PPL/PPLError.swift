import PPLDiagnostics
import PPLInference

/// Everything that can go wrong between a .ppl file and a posterior, as a value the CLI, REPL and apps can show.
public enum PPLError: Error, Sendable, CustomStringConvertible {
    /// The program did not parse or check; the diagnostics say where.
    case diagnostics([Diagnostic])
    /// A data file or data value did not fit the model.
    case data(DataError)
    /// The model failed while running (bad parameters, index out of range, an engine that cannot handle it).
    case model(ModelError)
    /// The request itself is wrong (unknown engine, option or model); the CLI exits 64 for these.
    case usage(String)

    public var description: String {
        switch self {
        case .diagnostics(let list): list.map(\.description).joined(separator: "\n")
        case .data(let error): error.description
        case .model(let error): error.description
        case .usage(let message): "error: \(message)"
        }
    }

    /// The message as a terminal shows it: diagnostics with the source line and caret.
    public func rendered(colour: Bool = false) -> String {
        switch self {
        case .diagnostics(let list): DiagnosticRenderer(colour: colour).render(list)
        default: description + "\n"
        }
    }
}
