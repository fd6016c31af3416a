import Testing
@testable import PPLInference

@Suite struct BradleyTerryCSVTests {
    @Test func quotedFieldsCommasAndCRLF() throws {
        let text = "winner,loser,tie\r\n\"Korea, South\",\"Say \"\"Hi\"\"\",0\r\n\"two\nlines\",x,1\r\n"
        let table = try CSVTable(parsing: text)
        #expect(table.header == ["winner", "loser", "tie"])
        #expect(table.rows == [["Korea, South", "Say \"Hi\"", "0"], ["two\nlines", "x", "1"]])
        #expect(table.lines == [2, 3])
    }

    @Test func blankLinesSkippedAndLineNumbersKept() throws {
        let table = try CSVTable(parsing: "winner,loser\n\na,b\n\nc,d")
        #expect(table.rows == [["a", "b"], ["c", "d"]])
        #expect(table.lines == [3, 5])
    }

    @Test func malformedFilesNameTheLine() {
        #expect(throws: CSVTable.ParseError(fileName: "f.csv", line: 3, message: "row has 3 fields but the header has 2")) {
            try CSVTable(parsing: "winner,loser\na,b\nc,d,e\n", fileName: "f.csv")
        }
        #expect(throws: CSVTable.ParseError.self) { try CSVTable(parsing: "winner,loser\n\"a,b\n") }
        do {
            _ = try CSVTable(parsing: "winner,loser\na,b\n\"c,d\n", fileName: "f.csv")
            Issue.record("an unterminated quote must fail")
        } catch {
            #expect(error.line == 3)
            #expect(error.description.contains("unterminated"))
        }
        #expect(throws: CSVTable.ParseError.self) { try CSVTable(parsing: "winner,loser\na\"x,b\n") }
        #expect(throws: CSVTable.ParseError.self) { try CSVTable(parsing: "") }
    }

    @Test func columnsAreDetectedByName() throws {
        let file = try ComparisonFile(CSVTable(parsing: "date,Loser,Winner,draw\nd1,b,a,0\nd2,a,b,1\n"))
        #expect(file.winnerColumn == "Winner" && file.loserColumn == "Loser" && file.tieColumn == "draw")
        #expect(file.data.itemNames == ["a", "b"])
        #expect(file.data.comparisons == [.win(0, over: 1), .init(first: 1, second: 0, outcome: .tie)])
    }

    @Test func badColumnsAndRowsNameColumnAndLine() throws {
        let noLoser = try CSVTable(parsing: "winner,other\na,b\n", fileName: "g.csv")
        do {
            _ = try ComparisonFile(noLoser)
            Issue.record("a missing loser column must fail")
        } catch {
            #expect(error.description.contains("g.csv:1") && error.description.contains("--loser") && error.description.contains("'other'"))
        }
        #expect(throws: ComparisonCSVError.self) { try ComparisonFile(noLoser, columns: ComparisonColumns(loser: "nope")) }
        let badTie = try CSVTable(parsing: "winner,loser,tie\na,b,0\na,b,maybe\n", fileName: "g.csv")
        #expect(throws: ComparisonCSVError(fileName: "g.csv", line: 3, column: "tie", message: "expected 0 or 1, got 'maybe'")) {
            try ComparisonFile(badTie)
        }
        let selfGame = try CSVTable(parsing: "winner,loser\na,b\nc,c\n", fileName: "g.csv")
        #expect(throws: ComparisonCSVError.self) { try ComparisonFile(selfGame) }
        let skipped = try ComparisonFile(selfGame, skipInvalidRows: true)
        #expect(skipped.skipped.map(\.line) == [3])
        #expect(skipped.data.comparisons.count == 1)
        let badHome = try CSVTable(parsing: "winner,loser,home\na,b,2\n", fileName: "g.csv")
        #expect(throws: ComparisonCSVError.self) { try ComparisonFile(badHome) }
        let empty = try CSVTable(parsing: "winner,loser\n a ,\n", fileName: "g.csv")
        #expect(throws: ComparisonCSVError(fileName: "g.csv", line: 2, column: "loser", message: "empty name")) {
            try ComparisonFile(empty)
        }
    }

    @Test func theVervetFileHasExactlyOneBadRow() throws {
        let file = try ComparisonFile(BTFixtures.table("vervet_dominance"), skipInvalidRows: true)
        #expect(file.skipped.map(\.line) == [9722])
        #expect(file.data.comparisons.count == 11_654)
        #expect(file.data.itemCount == 66)
    }
}

@Suite struct BradleyTerryGraphTests {
    @Test func tarjanFindsTheComponentsOfAHandDrawnGraph() {
        // 0 <-> 1 -> 2 <-> 3 -> 4, and 5 alone.
        let edges: [[Int]] = [[1], [0, 2], [3], [2, 4], [], []]
        let scc = StronglyConnectedComponents(itemCount: 6) { i, visit in edges[i].forEach(visit) }
        #expect(scc.count == 4)
        #expect(Set(scc.members.map { Set($0) }) == [[0, 1], [2, 3], [4], [5]])
        #expect(scc.component[0] == scc.component[1] && scc.component[1] != scc.component[2])
        // Reverse topological order: a sink component is found before what points at it.
        #expect(scc.component[4] < scc.component[2] && scc.component[2] < scc.component[0])
    }

    @Test func tarjanIsIterativeOnALongChain() {
        // A 200000-node cycle would overflow a recursive DFS's stack.
        let n = 200_000
        let cycle = StronglyConnectedComponents(itemCount: n) { i, visit in visit((i + 1) % n) }
        #expect(cycle.count == 1 && cycle.largest.count == n)
        let path = StronglyConnectedComponents(itemCount: n) { i, visit in if i + 1 < n { visit(i + 1) } }
        #expect(path.count == n)
    }

    /// The README of ../shared/data/bt gives the largest component of each data set's decided games.
    @Test(arguments: [("intl_football", 337, 304), ("nfl_games", 123, 81), ("vervet_dominance", 66, 64)])
    func largestComponentsMatchTheDataREADME(name: String, items: Int, largest: Int) throws {
        let data = try BTFixtures.load(name)
        #expect(data.itemCount == items)
        let scc = ComparisonGraph(data, ties: .drop).stronglyConnectedComponents()
        #expect(scc.largest.count == largest)
    }

    @Test func aggregationKeepsEveryGameOnceInEachRow() throws {
        let data = try ComparisonData(itemNames: ["a", "b", "c"], comparisons: [
            .win(0, over: 1), .win(1, over: 0, count: 2), .win(0, over: 1, venue: .firstAtHome),
            .init(first: 2, second: 0, outcome: .tie),
        ])
        let plain = ComparisonGraph(data)
        #expect(plain.entryCount == 4)
        let row0 = plain.rowStart[0]..<plain.rowStart[1]
        let toB = row0.first { plain.opponent[$0] == 1 }!
        #expect(plain.wins[toB] == 2 && plain.losses[toB] == 2)
        let toC = row0.first { plain.opponent[$0] == 2 }!
        #expect(plain.wins[toC] == 0.5 && plain.losses[toC] == 0.5)
        let venues = ComparisonGraph(data, ties: .davidson, home: true)
        #expect(venues.entryCount == 6)
        let homeEntry = (venues.rowStart[0]..<venues.rowStart[1]).first { venues.homeSign[$0] == 1 }!
        #expect(venues.opponent[homeEntry] == 1 && venues.wins[homeEntry] == 1 && venues.losses[homeEntry] == 0)
        #expect(venues.scores() == [2.5, 2, 0.5])
    }

    @Test func invalidComparisonsAreRejected() {
        #expect(throws: BradleyTerryError.self) { try ComparisonData(itemNames: ["a"], comparisons: [.win(0, over: 0)]) }
        #expect(throws: BradleyTerryError.self) { try ComparisonData(itemNames: ["a", "b"], comparisons: [.win(0, over: 2)]) }
        #expect(throws: BradleyTerryError.self) { try ComparisonData(itemNames: ["a", "b"], comparisons: [.win(0, over: 1, count: -1)]) }
    }
}
