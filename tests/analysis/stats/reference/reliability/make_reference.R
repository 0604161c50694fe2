# Reference values for analysis.stats.reliability, computed by R 4.2.2 with psych 2.2.9.
# Run from this folder:  Rscript make_reference.R   (writes bfi_agreeableness.csv and reference.json)
# demo_social_capital.csv is the product's demo wave (100 responses with Table 1's margins).
suppressPackageStartupMessages({library(psych); library(jsonlite)})
data(bfi, package = "psych")
write.csv(bfi[1:600, c("A1", "A2", "A3", "A4", "A5")], "bfi_agreeableness.csv", row.names = FALSE, na = "")
demo <- read.csv("demo_social_capital.csv")
sets <- list(
  bfi = na.omit(read.csv("bfi_agreeableness.csv")[, c("A2", "A3", "A4", "A5")]),
  bfi_reversed = na.omit(read.csv("bfi_agreeableness.csv")),
  demo = demo[, 1:8],
  demo_block = demo[, c("sc1_contacts", "sc6_network_benefit")]
)
feldt <- function(a, n, k, level = .95) {
  c(low = 1 - (1 - a) * qf(1 - (1 - level) / 2, n - 1, (n - 1) * (k - 1)),
    high = 1 - (1 - a) * qf((1 - level) / 2, n - 1, (n - 1) * (k - 1)))
}
out <- lapply(sets, function(x) {
  a <- suppressWarnings(suppressMessages(psych::alpha(x, check.keys = FALSE, warnings = FALSE)))
  n <- nrow(x); k <- ncol(x)
  pc <- suppressWarnings(suppressMessages(polychoric(x, correct = 0)))
  res <- list(items = colnames(x), n = n, k = k, alpha = a$total$raw_alpha, std_alpha = a$total$std.alpha,
       feldt = unname(feldt(a$total$raw_alpha, n, k)),
       mean = unname(a$item.stats$mean), sd = unname(a$item.stats$sd),
       r_drop = unname(a$item.stats$r.drop), alpha_drop = unname(a$alpha.drop$raw_alpha),
       polychoric = unname(pc$rho),
       ordinal_alpha = suppressWarnings(suppressMessages(psych::alpha(pc$rho, warnings = FALSE)))$total$raw_alpha)
  if (k > 2) {
    f <- suppressWarnings(suppressMessages(fa(cor(x), nfactors = 1, fm = "minres")))
    l <- as.numeric(f$loadings)
    res$loadings <- l
    res$omega <- sum(l)^2 / (sum(l)^2 + sum(1 - l^2))
  }
  res
})
# missing answers handled pairwise: psych::alpha's default (use = "pairwise")
demo_missing <- demo[, 1:8]
demo_missing[cbind(seq(1, 100, by = 3), rep(1:8, length.out = 34))] <- NA
demo_missing[c(5, 50), ] <- NA  # two respondents with no answer at all still count in n
write.csv(demo_missing, "demo_missing.csv", row.names = FALSE, na = "")
pairwise <- list(bfi_pairwise = read.csv("bfi_agreeableness.csv")[, c("A2", "A3", "A4", "A5")],
                 demo_pairwise = read.csv("demo_missing.csv"))
for (name in names(pairwise)) {
  x <- pairwise[[name]]
  a <- suppressWarnings(suppressMessages(psych::alpha(x, warnings = FALSE)))
  out[[name]] <- list(items = colnames(x), n = nrow(x), k = ncol(x), alpha = a$total$raw_alpha,
                      std_alpha = a$total$std.alpha, feldt = unname(feldt(a$total$raw_alpha, nrow(x), ncol(x))),
                      mean = unname(a$item.stats$mean), sd = unname(a$item.stats$sd),
                      r_drop = unname(a$item.stats$r.drop), alpha_drop = unname(a$alpha.drop$raw_alpha),
                      psych_feldt = unname(unlist(a$feldt[c("lower.ci", "upper.ci")])))
}
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, matrix = "rowmajor"), "reference.json")
cat("wrote reference.json\n")
