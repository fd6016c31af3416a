/// Strongly connected components of a directed graph by Tarjan's algorithm, iterative so deep graphs cannot overflow the stack.
///
/// Each node gets an index in DFS order and a low-link (the smallest index
/// reachable through its DFS subtree plus one back edge); a node whose
/// low-link equals its index roots a component. Components come out in
/// reverse topological order. Tarjan, SIAM J. Comput. 1:146 (1972).
public struct StronglyConnectedComponents: Sendable {
    /// component[i] = the component of node i, numbered in the order found.
    public let component: [Int]
    /// The nodes of each component.
    public let members: [[Int]]

    public var count: Int { members.count }

    /// The largest component (the earliest found among equals).
    public var largest: [Int] { members.max { $0.count < $1.count } ?? [] }

    /// `successors(i, visit)` must call `visit(j)` for every edge i -> j.
    public init(itemCount n: Int, successors: (Int, (Int) -> Void) -> Void) {
        // Adjacency copied to flat arrays so the DFS can resume a node's edge list.
        var start = [0]
        var targets: [Int32] = []
        for i in 0..<n {
            successors(i) { targets.append(Int32($0)) }
            start.append(targets.count)
        }
        self.init(itemCount: n, start: start, targets: targets)
    }

    /// The graph in compressed rows: node i's successors are targets[start[i]..<start[i+1]].
    public init(itemCount n: Int, start: [Int], targets: [Int32]) {
        var index = Array(repeating: -1, count: n)
        var lowLink = Array(repeating: 0, count: n)
        var onStack = Array(repeating: false, count: n)
        var stack: [Int] = []
        var component = Array(repeating: -1, count: n)
        var members: [[Int]] = []
        var nextIndex = 0
        // DFS frames: (node, next edge position).
        var frames: [(node: Int, edge: Int)] = []
        for root in 0..<n where index[root] < 0 {
            index[root] = nextIndex; lowLink[root] = nextIndex; nextIndex += 1
            stack.append(root); onStack[root] = true
            frames.append((root, start[root]))
            while let top = frames.last {
                let v = top.node
                if top.edge < start[v + 1] {
                    let w = Int(targets[top.edge])
                    frames[frames.count - 1].edge += 1
                    if index[w] < 0 {
                        index[w] = nextIndex; lowLink[w] = nextIndex; nextIndex += 1
                        stack.append(w); onStack[w] = true
                        frames.append((w, start[w]))
                    } else if onStack[w] {
                        lowLink[v] = min(lowLink[v], index[w])
                    }
                    continue
                }
                frames.removeLast()
                if let parent = frames.last { lowLink[parent.node] = min(lowLink[parent.node], lowLink[v]) }
                if lowLink[v] == index[v] {
                    var nodes: [Int] = []
                    while let w = stack.popLast() {
                        onStack[w] = false
                        component[w] = members.count
                        nodes.append(w)
                        if w == v { break }
                    }
                    members.append(nodes.sorted())
                }
            }
        }
        self.component = component
        self.members = members
    }
}

extension StronglyConnectedComponents {
    /// The error that names the components outside the largest: those items cannot be placed relative to the rest.
    public func notConnectedError(itemNames: [String]?) -> BradleyTerryError {
        let largest = self.largest
        let others = members.filter { $0 != largest }.sorted { $0.count > $1.count }.prefix(5).map { nodes in
            Array(nodes.prefix(4).map { itemNames?[$0] ?? "item \($0)" }) + (nodes.count > 4 ? ["... (\(nodes.count) items)"] : [])
        }
        return .notStronglyConnected(componentCount: count, largest: largest.count, items: component.count, others: others)
    }
}
