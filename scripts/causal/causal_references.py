#!/usr/bin/env python3
"""Exact reference values for Tests/PPLPassesTests (issue 7), by exact rational algebra.

1. Smoking -> tar -> cancer with a hidden confounder of smoking and cancer (Jacobs, Kissinger &
   Zanasi 2019, "Causal inference by string diagram surgery", FoSSaCS, section 6). Their observed
   joint over (S, T, C) in order 000..111 is .5 .1 .01 .02 .1 .05 .02 .2. The interventional
   distribution is identified by the front-door formula (Pearl 2009, 3.3.2)
       P(c | do(s)) = sum_t P(t | s) sum_s' P(c | t, s') P(s'),
   whatever the hidden variable is, as long as the structure is H -> S, H -> C, S -> T -> C.
   We parameterise two hidden-confounder models that reproduce the table exactly and check that
   surgery on each gives the front-door numbers:
     (a) "copy": H ~ Bernoulli(P(S=1)), S = H, C | T, H ~ P(C | T, S=H): the comb the paper
         disintegrates, with the hidden wire a copy of S;
     (b) "noisy": P(H=1 | S=0) = 1/10, P(H=1 | S=1) = 9/10, and P(C | T, H) solving
         P(c | t, s) = sum_h P(h | s) P(c | t, h); P(H) and P(S | H) by Bayes' rule.
2. Linear-Gaussian SCM z ~ N(0,1), x ~ N(z, 1), y ~ N(2x + 3z, 1): y | do(x) and y | x (sympy).
3. Firing squad (Pearl 2009, 7.1.2) counterfactual P(D_{A=0} = 1 | D = 1).
4. Pearl, Glymour & Jewell (2016), Causal Inference in Statistics: A Primer, 4.2.3:
   X = U_X, H = 0.5 X + U_H, Y = 0.7 X + 0.4 H + U_Y; given X = 0.5, H = 1, Y = 1.5, Y_{H=2} = 1.9.
Run: python3 scripts/causal/causal_references.py
"""
from fractions import Fraction as F
import itertools
import sympy as sp

# 1. Smoking
table = dict(zip(["000", "001", "010", "011", "100", "101", "110", "111"],
                 [F(5, 10), F(1, 10), F(1, 100), F(2, 100), F(1, 10), F(5, 100), F(2, 100), F(2, 10)]))
assert sum(table.values()) == 1
P = lambda pred: sum(v for k, v in table.items() if pred(k))
pS = {s: P(lambda k: k[0] == s) for s in "01"}
pT_S = {(t, s): P(lambda k: k[:2] == s + t) / pS[s] for t in "01" for s in "01"}
pC_TS = {(c, t, s): table[s + t + c] / P(lambda k: k[:2] == s + t) for c in "01" for t in "01" for s in "01"}
front_door = {s: sum(pT_S[(t, s)] * sum(pC_TS[("1", t, s2)] * pS[s2] for s2 in "01") for t in "01") for s in "01"}
conditional = {s: P(lambda k: k[0] == s and k[2] == "1") / pS[s] for s in "01"}
assert front_door == {"0": F(8783, 34650), "1": F(4013, 7400)}, front_door
assert conditional == {"0": F(4, 21), "1": F(25, 37)}, conditional

def bern(p, x):
    return p if x == 1 else 1 - p

def check_model(pH, pS_H, pT_S1, pC_TH, name):
    joint = {}
    do = {0: F(0), 1: F(0)}
    for h, s, t, c in itertools.product([0, 1], repeat=4):
        w = bern(pH, h) * bern(pS_H[h], s) * bern(pT_S1[s], t) * bern(pC_TH[(t, h)], c)
        joint[f"{s}{t}{c}"] = joint.get(f"{s}{t}{c}", 0) + w
    assert joint == table, (name, joint)
    for s in (0, 1):  # surgery: drop P(S | H), fix S = s
        do[s] = sum(bern(pH, h) * bern(pT_S1[s], t) * pC_TH[(t, h)] for h in (0, 1) for t in (0, 1))
    assert do == {0: front_door["0"], 1: front_door["1"]}, (name, do)
    print(name, "P(H=1) =", pH, "P(S=1|H) =", pS_H, "P(T=1|S) =", pT_S1, "P(C=1|T,H) =", pC_TH)

pT_S1 = {0: pT_S[("1", "0")], 1: pT_S[("1", "1")]}
check_model(pS["1"], {0: F(0), 1: F(1)}, pT_S1,
            {(t, h): pC_TS[("1", str(t), str(h))] for t in (0, 1) for h in (0, 1)}, "copy")
a, b = F(1, 10), F(9, 10)  # P(H=1 | S=0), P(H=1 | S=1)
pC_TH = {}
for t in (0, 1):
    q0, q1 = sp.symbols("q0 q1")
    sol = sp.solve([(1 - a) * q0 + a * q1 - pC_TS[("1", str(t), "0")], (1 - b) * q0 + b * q1 - pC_TS[("1", str(t), "1")]], [q0, q1])
    pC_TH[(t, 0)], pC_TH[(t, 1)] = F(str(sol[q0])), F(str(sol[q1]))
pH1 = (1 - pS["1"]) * a + pS["1"] * b
pS_H = {1: pS["1"] * b / pH1, 0: pS["1"] * (1 - b) / (1 - pH1)}
check_model(pH1, pS_H, pT_S1, pC_TH, "noisy")
assert pH1 == F(99, 250) and pS_H == {1: F(37, 44), 0: F(37, 604)}
assert pC_TH == {(0, 0): F(7, 48), (0, 1): F(17, 48), (1, 0): F(7, 11), (1, 1): F(31, 33)}
print("P(C=1|do(S=0)) =", front_door["0"], " P(C=1|do(S=1)) =", front_door["1"])
print("P(C=1|S=0) =", conditional["0"], " P(C=1|S=1) =", conditional["1"])

# 2. Linear-Gaussian SCM
z, x = sp.symbols("z x")
# do(x): y = 2x + 3z + e, z ~ N(0,1), e ~ N(0,1)
do_mean, do_var = 2 * x, 9 + 1
# given x: z | x ~ N(x/2, 1/2) (precision 1 + 1 = 2, mean x/2)
post_mean, post_var = x / 2, sp.Rational(1, 2)
given_mean, given_var = 2 * x + 3 * post_mean, 9 * post_var + 1
print("y | do(x=1): mean", do_mean.subs(x, 1), "var", do_var, "; y | x=1: mean", given_mean.subs(x, 1), "var", given_var)
assert (do_mean.subs(x, 1), do_var, given_mean.subs(x, 1), given_var) == (2, 10, sp.Rational(7, 2), sp.Rational(11, 2))

# 3. Firing squad: U ~ B(p), W ~ B(q); C = U, A = C or W, B = C, D = A or B.
p, q = F(1, 2), F(1, 4)
num = den = F(0)
for u, w in itertools.product([0, 1], repeat=2):
    weight = bern(p, u) * bern(q, w)
    d = int((u or w) or u)
    d_cf = int(0 or u)  # do(A = 0): D = B = C = U
    if d == 1:
        den += weight
        num += weight * d_cf
print("firing squad P(D_{A=0}=1 | D=1) =", num / den)
assert num / den == F(4, 5)

# 4. Pearl's Primer linear model: abduction gives U_Y = 1.5 - 0.7*0.5 - 0.4*1 = 0.75.
uy = F(3, 2) - F(7, 10) * F(1, 2) - F(2, 5) * 1
y_cf = F(7, 10) * F(1, 2) + F(2, 5) * 2 + uy
print("primer Y_{H=2} =", y_cf)
assert y_cf == F(19, 10)

# 5. Interventions compose with conditioning: P(hidden = 1 | do(smoking = 1), cancer = 1) in the
#    "noisy" parameterisation: the surgery removes P(S | H), the condition weights by P(C = 1 | T, H).
num = den = F(0)
for h, t in itertools.product([0, 1], repeat=2):
    w = bern(pH1, h) * bern(pT_S1[1], t) * pC_TH[(t, h)]
    den += w
    num += w * h
print("P(hidden=1 | do(smoking=1), cancer=1) =", num / den, float(num / den))
assert num / den == F(41151, 80260)

# 6. A Categorical counterfactual (inverse CDF of a shared uniform, docs/causal.md):
#    c ~ Categorical([.2, .5, .3]); x ~ Categorical(P[c]); given x = 1, had c been 2, what is x?
prior_c = [F(2, 10), F(5, 10), F(3, 10)]
P_x = [[F(1, 10), F(6, 10), F(3, 10)], [F(5, 10), F(1, 4), F(1, 4)], [F(2, 10), F(2, 10), F(6, 10)]]

def cells(p):
    out, acc = [], F(0)
    for pi in p:
        out.append((acc, acc + pi))
        acc += pi
    return out

x_obs, c_do = 1, 2
answer = [F(0)] * 3
evidence = F(0)
for c in range(3):
    w = prior_c[c] * P_x[c][x_obs]
    evidence += w
    lo, hi = cells(P_x[c])[x_obs]
    for j, (qlo, qhi) in enumerate(cells(P_x[c_do])):
        answer[j] += w * max(F(0), min(hi, qhi) - max(lo, qlo)) / (hi - lo)
answer = [a / evidence for a in answer]
print("categorical counterfactual P(x' = j | x = 1, do(c = 2)) =", answer)
assert answer == [F(4, 61), F(20, 61), F(37, 61)]
