/// A named IR → IR step: analyses record facts on the module, transforms rewrite it.
public protocol Pass: Sendable {
    /// Kebab-case, used by `ppl ir --after NAME`.
    static var name: String { get }
    func run(_ module: inout Module) throws
}

/// A pass failed: a user error (unknown address, observed choice) naming the place, or an internal one.
public struct PassError: Error, Sendable, CustomStringConvertible {
    public var pass: String
    public var message: String
    public init(pass: String, _ message: String) {
        self.pass = pass
        self.message = message
    }
    public var description: String { "error: \(message)" }
}

/// Runs passes in order, verifying after each; can stop after a named one.
public struct PassManager: Sendable {
    public var passes: [any Pass]
    public var verifyEachPass: Bool

    public init(_ passes: [any Pass], verifyEachPass: Bool = true) {
        self.passes = passes
        self.verifyEachPass = verifyEachPass
    }

    public var names: [String] { passes.map { type(of: $0).name } }

    /// Runs the pipeline, or its prefix through the pass named `stopAfter` ("lower" stops before any pass).
    public func run(_ module: Module, stopAfter: String? = nil) throws -> Module {
        if let stopAfter, stopAfter != "lower", !names.contains(stopAfter) {
            throw PassError(pass: stopAfter,
                            "no pass named '\(stopAfter)'; passes are: \((["lower"] + names).joined(separator: ", "))")
        }
        var module = module
        if stopAfter == "lower" { return module }
        for pass in passes {
            try pass.run(&module)
            if verifyEachPass {
                let problems = Verifier().verify(module)
                if !problems.isEmpty {
                    throw PassError(pass: type(of: pass).name,
                                    "internal error: IR invalid after '\(type(of: pass).name)': \(problems.joined(separator: "; "))")
                }
            }
            if type(of: pass).name == stopAfter { break }
        }
        return module
    }
}
