import ArgumentParser

@main
struct PPLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ppl",
        abstract: "A probabilistic programming language: check, lower and run .ppl models.",
        subcommands: [Run.self, Check.self, IR.self, Repl.self, Rank.self]
    )
}
