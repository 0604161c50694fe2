# Reference values for analysis.stats.comparison.compare_items (the wave comparison): wilcox.test and p.adjust,
# computed by R 4.2.2. Run from this folder:  Rscript make_reference.R   (writes reference.json)
# Data: the demo wave (../reliability/demo_social_capital.csv): the respondents
# with readiness 1 or 2 as wave a, those with 3 or 4 as wave b (so some items differ).
suppressPackageStartupMessages(library(jsonlite))
x <- read.csv("../reliability/demo_social_capital.csv")
items <- colnames(x)[1:8]
a <- x[x$readiness <= 2, ]
b <- x[x$readiness >= 3, ]
tests <- lapply(items, function(i) wilcox.test(a[[i]], b[[i]], exact = FALSE, correct = TRUE))
p <- sapply(tests, function(t) t$p.value)
out <- list(items = items, U = unname(sapply(tests, function(t) t$statistic)), p = p,
            p_holm = p.adjust(p, method = "holm"),
            mean_a = unname(colMeans(a[, items])), mean_b = unname(colMeans(b[, items])))
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "reference.json")
cat("wrote reference.json\n")
