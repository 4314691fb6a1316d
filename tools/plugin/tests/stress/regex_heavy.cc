// STRESS_QUICK
// Stress source for the ntps_points plugin: heavy template code (std::regex,
// iostreams, std::sort over user types).
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>
#include <algorithm>

struct Rec { std::string key; int prio; double w; };

std::vector<std::string> Matches(const std::string &text, const std::string &pat)
{
  std::regex re(pat, std::regex::ECMAScript | std::regex::icase);
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
    out.push_back(it->str());
  return out;
}

std::string Report(std::vector<Rec> recs)
{
  std::sort(recs.begin(), recs.end(), [](const Rec &a, const Rec &b) {
    return a.prio != b.prio ? a.prio > b.prio : a.key < b.key;
  });
  std::ostringstream os;
  for (const auto &r : recs)
    os << r.key << ':' << r.prio << '/' << r.w << '\n';
  return os.str();
}

int ParseAll(std::istream &in)
{
  int n = 0, x;
  while (in >> x)
    n += x;
  return n;
}
