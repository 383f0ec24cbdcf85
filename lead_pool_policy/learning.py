# Copyright 2026 lead_pool_policy contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Learning scoring points from closed leads (pure functions, no database).

The data are *grouped*: one row per pattern of inputs with its counts of won
and lost leads, so that the size of the problem is the number of distinct
patterns (thousands at most), never the number of leads.
"""

import math

# L2 penalty of the logistic regression: negligible against thousands of
# leads, it keeps the coefficients finite when a rule separates won from lost
# perfectly on a small history.
L2_PENALTY = 1.0
MAX_ITERATIONS = 50


def _solve(matrix, vector):
    """Solve ``matrix @ x = vector`` (a small symmetric positive definite
    system) by Gaussian elimination with partial pivoting."""
    size = len(vector)
    rows = [list(matrix[i]) + [vector[i]] for i in range(size)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        head = rows[col][col]
        if abs(head) < 1e-300:
            raise ArithmeticError("singular system")
        for r in range(col + 1, size):
            factor = rows[r][col] / head
            if factor:
                row, top = rows[r], rows[col]
                for c in range(col, size + 1):
                    row[c] -= factor * top[c]
    result = [0.0] * size
    for r in range(size - 1, -1, -1):
        acc = rows[r][size] - sum(rows[r][c] * result[c] for c in range(r + 1, size))
        result[r] = acc / rows[r][r]
    return result


def _sigmoid(value):
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


def fit_logistic(rows, size, penalty=L2_PENALTY):
    """Regularised logistic regression on grouped rows ``(x, won, lost)``
    (``x`` a sequence of ``size`` numbers) by Newton's method. Returns
    ``(intercept, coefficients)``; the intercept is not penalised."""
    dim = size + 1
    beta = [0.0] * dim
    for _iteration in range(MAX_ITERATIONS):
        gradient = [0.0] * dim
        hessian = [[0.0] * dim for _i in range(dim)]
        for x, won, lost in rows:
            total = won + lost
            if not total:
                continue
            z = (1.0, *x)
            p = _sigmoid(sum(b * v for b, v in zip(beta, z, strict=True)))
            residual = won - total * p
            weight = total * p * (1.0 - p)
            active = [(i, v) for i, v in enumerate(z) if v]
            for i, vi in active:
                gradient[i] += residual * vi
                line = hessian[i]
                for j, vj in active:
                    line[j] += weight * vi * vj
        for i in range(1, dim):
            gradient[i] -= penalty * beta[i]
            hessian[i][i] += penalty
        hessian[0][0] += 1e-9
        step = _solve(hessian, gradient)
        beta = [b + s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-7:
            break
    return beta[0], beta[1:]


def auc(rows):
    """Area under the ROC curve of a ranking, from grouped rows ``(score,
    won, lost)`` (counts, or expected counts: won weights may be
    probabilities). Ties count one half. None without both outcomes."""
    by_score = {}
    for score, won, lost in rows:
        acc = by_score.setdefault(score, [0.0, 0.0])
        acc[0] += won
        acc[1] += lost
    total_won = sum(w for w, _l in by_score.values())
    total_lost = sum(lost for _w, lost in by_score.values())
    if not total_won or not total_lost:
        return None
    area = lost_below = 0.0
    for score in sorted(by_score):
        won, lost = by_score[score]
        area += won * (lost_below + lost / 2.0)
        lost_below += lost
    return area / (total_won * total_lost)


def priority(pattern, rate, points, categories, fit_weight, lead_weight):
    """The priority score the rescore statement gives a lead that matches the
    rules of ``pattern`` (0/1 per rule) and has no engagement event, its
    source's rate being ``rate``: each score clamped to 0-100 and rounded as
    in SQL (``FLOOR(x + 0.5)``, the priority to one decimal). Weights are
    fractions."""
    fit = engagement = 0
    for matched, rule_points, category in zip(pattern, points, categories, strict=True):
        if matched:
            if category == "fit":
                fit += rule_points
            else:
                engagement += rule_points
    fit = min(100, max(0, fit))
    engagement = min(100, max(0, engagement))
    score = math.floor(fit_weight * fit + (1 - fit_weight) * engagement + 0.5)
    # One decimal, as the priority column.
    tenths = math.floor(
        (lead_weight * score + (1 - lead_weight) * rate * 100) * 10 + 0.5
    )
    return min(100, max(0, tenths / 10))


def points_from_coefficients(
    coefficients, categories, patterns, fit_weight, bases=None
):
    """Integer points proportional to the rules' learned log-odds, scaled so
    that the fit (and engagement) sums met among ``patterns`` span 0-100
    without saturating. ``bases`` maps a category to the index of a rule
    that every lead matches (its base points, not learned): it takes the
    offset that brings the lowest sum to 0; without one, sums below 0 are
    cut to 0 as the score does. Engagement points are scaled so that,
    through the fit weight, one unit of log-odds is worth as much in the lead
    score whichever the rule's category. Returns ``(points, scale)``:
    ``scale`` is the lead score's points per unit of log-odds (``(None,
    None)`` when no pattern can be told from another)."""
    bases = bases or {}
    weights = {"fit": fit_weight, "engagement": 1 - fit_weight}
    best = None
    lows = {}
    for category in ("fit", "engagement"):
        if not weights[category]:
            continue
        sums = [
            sum(
                c
                for index, (c, matched, cat) in enumerate(
                    zip(coefficients, pattern, categories, strict=True)
                )
                if matched and cat == category and index != bases.get(category)
            )
            for pattern in patterns
        ] or [0.0]
        low = min(sums) if category in bases else 0.0
        span = max(sums) - low
        if span > 1e-9:
            lows[category] = low
            # The lead-score scale at which this category's sums span 100.
            scale = 100.0 * weights[category] / span
            best = scale if best is None else min(best, scale)
    if best is None:
        return None, None
    points = []
    for index, (coefficient, category) in enumerate(
        zip(coefficients, categories, strict=True)
    ):
        weight = weights[category]
        if not weight:
            points.append(0)
        elif index == bases.get(category):
            points.append(math.floor(-lows.get(category, 0.0) * best / weight + 0.5))
        else:
            points.append(math.floor(coefficient * best / weight + 0.5))
    return points, best


def lead_weight_for(rate_coefficient, lead_scale):
    """The priority's lead-score weight (a fraction) at which the source rate
    counts as much as the model says: W * lead_scale * gamma = (1 - W) * 100,
    ``lead_scale`` being lead-score points per unit of log-odds. 1 when the
    rate does not help."""
    if rate_coefficient <= 0 or not lead_scale:
        return 1.0
    return 100.0 / (100.0 + lead_scale * rate_coefficient)
