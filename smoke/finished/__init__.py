"""Work over finished runs: diff, merge and the Allure HTML report."""
