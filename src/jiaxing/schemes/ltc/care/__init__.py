"""The care half of 长期护理保险（嘉政发〔2022〕21号）: service catalogue, providers and caregivers, care
plans, visits, the violation rule library and its screening, the monthly settlement and ratings."""
