import { describe, expect, it } from 'vitest';
import { symbolFromUrl } from '../../src/background/active-tab.ts';
import { RequestSchema } from '../../src/shared/messages.ts';

describe('symbolFromUrl', () => {
  const table: Array<[string, string | null, string]> = [
    // Binance USD-M futures pages.
    ['https://www.binance.com/en/futures/BTCUSDT', 'BTCUSDT', 'futures page'],
    ['https://www.binance.com/zh-CN/futures/ETHUSDT', 'ETHUSDT', 'language with a region'],
    ['https://www.binance.com/en-GB/futures/SOLUSDT?type=perpetual', 'SOLUSDT', 'query string'],
    ['https://www.binance.com/futures/XRPUSDT/', 'XRPUSDT', 'no language, trailing slash'],
    ['https://www.binance.com/en/futures/1000PEPEUSDT', '1000PEPEUSDT', 'digits in the base asset'],
    ['https://www.binance.com/en/futures/BTCUSDC', 'BTCUSDC', 'USDC-margined perpetual'],
    ['https://www.binance.com/en/futures/btcusdt', 'BTCUSDT', 'lower case is normalised'],
    ['https://binance.com/en/futures/BTCUSDT#chart', 'BTCUSDT', 'bare host, fragment'],
    ['https://demo.binance.com/en/futures/BTCUSDT', 'BTCUSDT', 'demo trading'],
    ['https://testnet.binancefuture.com/en/futures/ETHUSDT', 'ETHUSDT', 'futures testnet'],
    // TradingView charts of Binance perpetuals.
    ['https://www.tradingview.com/chart/?symbol=BINANCE:BTCUSDT.P', 'BTCUSDT', 'chart, .P suffix'],
    ['https://www.tradingview.com/chart/aBcD1234/?symbol=BINANCE%3ABTCUSDTPERP', 'BTCUSDT', 'saved layout, encoded colon, PERP suffix'],
    ['https://www.tradingview.com/chart/?symbol=binance%3Aethusdt.p&interval=15', 'ETHUSDT', 'lower case, more parameters'],
    ['https://uk.tradingview.com/chart/?symbol=BINANCE:SOLUSDT.P', 'SOLUSDT', 'regional edition'],
    // Spot pages and spot symbols.
    ['https://www.binance.com/en/trade/BTC_USDT', null, 'Binance spot'],
    ['https://www.binance.com/en/trade/BTCUSDT?type=spot', null, 'Binance spot, no underscore'],
    ['https://www.tradingview.com/chart/?symbol=BINANCE:BTCUSDT', null, 'TradingView spot'],
    // Other futures that are not USD-M perpetuals, and futures pages that are not a symbol.
    ['https://www.binance.com/en/futures/BTCUSDT_250926', null, 'quarterly delivery contract'],
    ['https://www.binance.com/en/delivery/BTCUSD_PERP', null, 'COIN-M'],
    ['https://www.binance.com/en/futures/home', null, 'futures landing page'],
    ['https://www.binance.com/en/futures/trading-bots', null, 'futures bots page'],
    ['https://www.binance.com/en/futures/BTCUSDT/extra', null, 'deeper path'],
    ['https://www.binance.com/en/futures/AAAAAAAAAAAAAAAAAAAAUSDT', null, 'longer than the contract allows'],
    // Other exchanges, other sites, look-alike hosts, wrong schemes, garbage.
    ['https://www.tradingview.com/chart/?symbol=BYBIT:BTCUSDT.P', null, 'another exchange on TradingView'],
    ['https://www.tradingview.com/symbols/BTCUSDT.P/?exchange=BINANCE', null, 'TradingView symbol page, not a chart'],
    ['https://www.tradingview.com/chart/', null, 'chart without a symbol'],
    ['https://www.binance.com.evil.example/en/futures/BTCUSDT', null, 'look-alike host'],
    ['https://evil.example/en/futures/BTCUSDT', null, 'another site with the same path'],
    ['https://evil.example/chart/?symbol=BINANCE:BTCUSDT.P', null, 'another site with a TradingView query'],
    ['https://tradingview.com.evil.example/chart/?symbol=BINANCE:BTCUSDT.P', null, 'TradingView look-alike'],
    ['http://www.binance.com/en/futures/BTCUSDT', null, 'not https'],
    ['chrome://extensions/shortcuts', null, 'browser page'],
    ['chrome-extension://abcdefghijklmnopabcdefghijklmnop/src/sidepanel/index.html', null, 'our own panel'],
    ['about:blank', null, 'blank tab'],
    ['', null, 'empty'],
    ['not a url at all', null, 'garbage'],
    ['https://www.binance.com/en/futures/%00%3Cscript%3E', null, 'encoded garbage'],
  ];

  it.each(table)('%s -> %s (%s)', (url, expected) => {
    expect(symbolFromUrl(url)).toBe(expected);
  });

  it('every symbol it finds is accepted by the order.submit contract', () => {
    for (const [url] of table) {
      const symbol = symbolFromUrl(url);
      if (symbol === null) continue;
      const parsed = RequestSchema.safeParse({ type: 'order.submit', side: 'BUY', source: 'hotkey', inputAtMs: 1, symbol });
      expect(parsed.success, `${url} -> ${symbol}`).toBe(true);
    }
  });
});
