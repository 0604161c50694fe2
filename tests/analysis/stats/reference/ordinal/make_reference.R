# Reference values for analysis.stats.ordinal, computed by R.
# Run from this folder:  Rscript make_reference.R
# Writes the data sets (CSV) and reference.json. R 4.2.2, ordinal 2022.11.16, MASS 7.3-58.2.
suppressPackageStartupMessages({library(ordinal); library(MASS); library(jsonlite)})
options(digits = 15)

# --- data ---------------------------------------------------------------------------------
data(wine, package = "ordinal")
write.csv(wine[, c("rating", "temp", "contact", "judge")], "wine.csv", row.names = FALSE)
data(housing, package = "MASS")
write.csv(housing, "housing.csv", row.names = FALSE)

# Synthetic four-point Likert survey: readiness on a social-capital mean, size and region.
set.seed(20261123)
n <- 3000
size <- factor(sample(c("micro", "small", "medium", "large"), n, TRUE, c(.3, .35, .2, .15)),
               levels = c("micro", "small", "medium", "large"))
region <- factor(sample(c("Irkutsk", "Perm", "Samara", "Kaluga", "other"), n, TRUE),
                 levels = c("Irkutsk", "Perm", "Samara", "Kaluga", "other"))
g <- rnorm(n)
items <- sapply(1:8, function(i) findInterval(0.7 * g + 0.7 * rnorm(n), c(-0.8, 0, 0.8)) + 1)
sc_mean <- rowMeans(items)
lat <- 1.1 * sc_mean + c(0, .3, .5, .8)[as.integer(size)] + c(0, -.2, .1, .3, 0)[as.integer(region)] + rlogis(n)
readiness <- findInterval(lat, quantile(lat, c(.2, .5, .8))) + 1
synth <- data.frame(readiness = readiness, sc_mean = sc_mean, size = size, region = region)
# a few missing values, to test listwise deletion
synth$sc_mean[c(5, 17, 29)] <- NA
synth$region[c(40, 41)] <- NA
write.csv(synth, "synthetic.csv", row.names = FALSE, na = "")

# --- Brant test, following brant::brant (Schlegel & Steenbergen), with frequency weights ----
brant_test <- function(formula, data, weights = NULL) {
  mf <- model.frame(formula, data, na.action = na.omit)
  if (is.null(weights)) w <- rep(1, nrow(mf)) else w <- data[rownames(mf), weights]
  X <- model.matrix(attr(mf, "terms"), mf)
  y <- as.integer(model.response(mf))
  J <- max(y); K <- ncol(X) - 1
  betas <- list(); pis <- list(); invs <- list()
  for (m in 1:(J - 1)) {
    z <- as.numeric(y > m)
    fit <- suppressWarnings(glm.fit(X, z, weights = w, family = binomial(), control = glm.control(epsilon = 1e-14, maxit = 100)))
    betas[[m]] <- fit$coefficients; pis[[m]] <- fit$fitted.values
    invs[[m]] <- solve(t(X) %*% (X * (w * pis[[m]] * (1 - pis[[m]]))))
  }
  V <- matrix(0, (J - 1) * K, (J - 1) * K)
  for (m in 1:(J - 1)) {
    V[((m - 1) * K + 1):(m * K), ((m - 1) * K + 1):(m * K)] <- invs[[m]][-1, -1]
    if (m < J - 1) for (l in (m + 1):(J - 1)) {
      wml <- w * (pis[[l]] - pis[[m]] * pis[[l]])
      B <- (invs[[m]] %*% (t(X) %*% (X * wml)) %*% invs[[l]])[-1, -1, drop = FALSE]
      V[((m - 1) * K + 1):(m * K), ((l - 1) * K + 1):(l * K)] <- B
      V[((l - 1) * K + 1):(l * K), ((m - 1) * K + 1):(m * K)] <- t(B)
    }
  }
  bstar <- unlist(lapply(betas, function(b) b[-1]))
  D <- matrix(0, (J - 2) * K, (J - 1) * K)
  for (i in 1:(J - 2)) {
    D[((i - 1) * K + 1):(i * K), 1:K] <- diag(K)
    D[((i - 1) * K + 1):(i * K), (i * K + 1):((i + 1) * K)] <- -diag(K)
  }
  wald <- function(idx) {
    Ds <- D[, idx, drop = FALSE]; Ds <- Ds[rowSums(Ds != 0) > 0, , drop = FALSE]
    d <- Ds %*% bstar[idx]
    as.numeric(t(d) %*% solve(Ds %*% V[idx, idx, drop = FALSE] %*% t(Ds), d))
  }
  chi2 <- c(omnibus = wald(1:((J - 1) * K)))
  df <- c(omnibus = (J - 2) * K)
  for (k in 1:K) { chi2[colnames(X)[k + 1]] <- wald(seq(k, (J - 1) * K, by = K)); df[colnames(X)[k + 1]] <- J - 2 }
  list(terms = names(chi2), chi2 = unname(chi2), df = unname(df), p = unname(pchisq(chi2, df, lower.tail = FALSE)))
}

summarise <- function(m, formula, data, weights = NULL, newdata = NULL, brant = TRUE) {
  co <- summary(m)$coefficients
  th_names <- names(m$alpha); be_names <- names(m$beta)
  n <- if (is.null(weights)) nrow(model.frame(formula, data)) else sum(data[[weights]])
  ll0 <- if (is.null(weights)) { tb <- table(model.response(model.frame(formula, data))); sum(tb[tb > 0] * log(tb[tb > 0] / sum(tb))) } else {
    tb <- tapply(data[[weights]], data[[all.vars(formula)[1]]], sum); sum(tb * log(tb / sum(tb))) }
  out <- list(
    thresholds = list(names = th_names, estimate = unname(m$alpha), std_err = unname(co[th_names, "Std. Error"])),
    coefficients = list(names = be_names, estimate = unname(m$beta), std_err = unname(co[be_names, "Std. Error"]),
                        z = unname(co[be_names, "z value"]), p = unname(co[be_names, "Pr(>|z|)"])),
    loglik = as.numeric(logLik(m)), loglik_null = ll0, n = n, aic = AIC(m), bic = BIC(m),
    nobs = nobs(m))
  out$mcfadden <- 1 - out$loglik / ll0
  out$cox_snell <- 1 - exp(2 * (ll0 - out$loglik) / n)
  out$nagelkerke <- out$cox_snell / (1 - exp(2 * ll0 / n))
  if (!is.null(newdata)) out$predict <- unname(as.matrix(predict(m, newdata = newdata, type = "prob")$fit))
  if (brant) out$brant <- brant_test(formula, data, weights)
  out
}

ref <- list()
wine_f <- rating ~ temp + contact
ref$wine_logit <- summarise(clm(wine_f, data = wine, link = "logit"), wine_f, wine, brant = FALSE,  # a binary split separates: Brant undefined
  newdata = data.frame(temp = factor(c("cold", "warm"), levels = levels(wine$temp)),
                       contact = factor(c("no", "yes"), levels = levels(wine$contact))))
ref$wine_probit <- summarise(clm(wine_f, data = wine, link = "probit"), wine_f, wine, brant = FALSE)
housing_f <- Sat ~ Infl + Type + Cont
ref$housing_weighted <- summarise(clm(housing_f, data = housing, weights = Freq), housing_f, housing, weights = "Freq")
synth$readiness <- factor(synth$readiness, levels = 1:4, ordered = TRUE)
synth_f <- readiness ~ sc_mean + size + region
m <- clm(synth_f, data = synth)
ref$synthetic <- summarise(m, synth_f, synth,
  newdata = data.frame(sc_mean = c(1.5, 2.5, 3.5), size = factor(c("micro", "medium", "large"), levels = levels(size)),
                       region = factor(c("Irkutsk", "Samara", "other"), levels = levels(region))))
ref$synthetic$n_dropped <- sum(!complete.cases(synth))
# MASS::polr agrees with clm (zeta = thresholds, same sign convention)
p <- polr(synth_f, data = synth, Hess = TRUE)
ref$synthetic_polr <- list(thresholds = unname(p$zeta), coefficients = unname(coef(p)), loglik = as.numeric(logLik(p)))
write(toJSON(ref, digits = NA, auto_unbox = TRUE, pretty = TRUE), "reference.json")
cat("wrote reference.json\n")
