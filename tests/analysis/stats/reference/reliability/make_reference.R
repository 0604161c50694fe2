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
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, matrix = "rowmajor"), "reference.json")
cat("wrote reference.json\n")
